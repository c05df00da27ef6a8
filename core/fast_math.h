// exp, tanh and sigmoid in a form the compiler vectorises (std::exp is a library call per element,
// which keeps softmax, the losses and the gate nonlinearities scalar). Accurate to a few ulp.
//
// exp(x) = 2^n * exp(r), with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2]; exp(r) by
// its degree-6 Taylor polynomial (error < 2e-8 relative on that range), 2^n by building the float's
// exponent bits directly (Cody & Waite range reduction, as in Cephes' expf).
#pragma once

#include <bit>
#include <cstdint>

namespace ember::core {

inline float fast_exp(float x) {
  const bool underflow = x < -87.3f;         // exp(-inf) must be exactly 0 (masked scores)
  x = x < -87.3f ? -87.3f : x;               // keep 2^n a normal float (n in [-126, 127])
  x = x > 88.3f ? 88.3f : x;
  // round to nearest by the 1.5 * 2^23 trick (adding it pushes the fraction bits out)
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  // r = x - n ln2, with ln2 split in a high and a low part so the subtraction is exact.
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
  return underflow ? 0.0f : p * std::bit_cast<float>(bits);
}

inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

// tanh(x): x + x^3 P(x^2) for |x| < 0.625 (the Cephes tanhf polynomial), else
// sign(x) (1 - 2 / (e^{2|x|} + 1)). Relative error < 2e-7; saturates to +-1; NaN stays NaN.
inline float fast_tanh(float x) {
  const float a = x < 0.0f ? -x : x, z = x * x;
  float q = -5.70498872745e-3f;
  q = q * z + 2.06390887954e-2f;
  q = q * z - 5.37397155531e-2f;
  q = q * z + 1.33314422036e-1f;
  q = q * z - 3.33332819422e-1f;
  const float small = q * z * x + x;
  const float large = 1.0f - 2.0f / (fast_exp(2.0f * a) + 1.0f);
  return a >= 0.625f ? (x < 0.0f ? -large : large) : small;
}

}  // namespace ember::core
