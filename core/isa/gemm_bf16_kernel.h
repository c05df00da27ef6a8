// The AVX512_BF16 product behind core::gemm_bf16 (core/gemm_bf16.h), compiled for AVX-512 with
// BF16 in core/isa/gemm_bf16_avx512.cpp. Only core/gemm_bf16.cpp calls it, after checking that
// the CPU has the instructions, with m, n and k >= 1.
#pragma once

#include <cstdint>

namespace ember::core {

void gemm_bf16_avx512(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                      float* c, int64_t ldc);

}  // namespace ember::core
