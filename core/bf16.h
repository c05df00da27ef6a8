// bfloat16 ("brain float"): the upper half of an IEEE float32 — its sign, all 8 exponent bits
// and 7 of the 23 mantissa bits — so it has float32's range at about 3 significant digits. A
// product of two bf16 numbers (8 significant bits each) fits a float32 exactly, which is why
// hardware multiplies in bf16 and adds in float32 (core/gemm_bf16.h).
#pragma once

#include <bit>
#include <cstdint>

namespace ember::core {

// float32 -> bf16, rounded to nearest with ties to even, as PyTorch's c10::BFloat16 does: adding
// 0x7fff plus the lowest kept bit to the float's bits carries into the kept half exactly when the
// dropped half is above one half, or at one half with an odd kept half. Infinities stay
// infinities (their dropped half is zero); a NaN becomes the quiet NaN 0x7fc0 (rounding its bits
// could carry into the exponent and make it an infinity).
inline uint16_t to_bf16(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
  return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

// bf16 -> float32: exact (the dropped mantissa bits are zero).
inline float from_bf16(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

// x rounded to the nearest bf16 value, as a float32.
inline float round_to_bf16(float x) { return from_bf16(to_bf16(x)); }

}  // namespace ember::core
