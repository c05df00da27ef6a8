// Matrix products in bf16 with float32 accumulation (core/bf16.h), behind the interface of
// core::gemm (core/blas.h): float inputs and output, C = alpha * op(A) @ op(B) + beta * C,
// row-major. The inputs are rounded to bf16 (to nearest, ties to even) as they are packed, the
// products are summed in float32. core::gemm calls these under MatmulPrecision::bf16
// (core/precision.h) and splits large products over ember's threads.
#pragma once

#include <cstdint>

namespace ember::core {

// One single-threaded product on ember's AVX512_BF16 micro-kernel
// (core/isa/gemm_bf16_avx512.cpp). Throws ember::Error when bf16_unsupported_reason() is set.
void gemm_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
               int64_t ldc);

// The plain loop gemm_bf16 must agree with: gemm_naive (core/blas.h) on the inputs rounded to
// bf16. It agrees up to the order of the float32 sums.
void gemm_bf16_naive(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                     int64_t ldc);

}  // namespace ember::core
