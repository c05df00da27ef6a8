// The AVX512_BF16 products behind core::gemm_bf16 and core::gemm_bf16_packed (core/gemm_bf16.h),
// compiled for AVX-512 with BF16 in core/isa/gemm_bf16_avx512.cpp. Only core/gemm_bf16.cpp calls
// them, after checking that the CPU has the instructions, with m, n and k >= 1.
#pragma once

#include <cstdint>

namespace ember::core {

void gemm_bf16_avx512(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                      float* c, int64_t ldc);

// The kernel's register block: 12 rows of A by 32 columns of B (the width of a packed panel).
inline constexpr int64_t kBf16TileRows = 12;
inline constexpr int64_t kBf16PanelWidth = 32;

void pack_bf16_panels(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb,
                      uint16_t* out);

void gemm_bf16_avx512_packed(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha,
                             const float* a, int64_t lda, const uint16_t* panels, float beta,
                             float* c, int64_t ldc);

}  // namespace ember::core
