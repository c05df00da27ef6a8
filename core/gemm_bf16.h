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

// op(B) (K, N) rounded to bf16 and packed once for many products (a recurrent weight, reused at
// every step): bf16_packed_size(k, n) values, panels of bf16_panel_width() columns (the last
// padded with zeros), each the whole of k as pairs (core/isa/gemm_bf16_avx512.cpp). Throws
// ember::Error when bf16_unsupported_reason() is set.
int64_t bf16_packed_size(int64_t k, int64_t n);
void pack_bf16(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb, uint16_t* out);

// One single-threaded product C = alpha * op(A) @ B' + beta * C on packed panels: columns [0, n)
// of B' (k, n) start at `panels` (a block of columns starts at a whole panel: panel j at
// j * bf16_packed_size(k, bf16_panel_width())). Equal to gemm_bf16 of the same operands.
void gemm_bf16_packed(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                      int64_t lda, const uint16_t* panels, float beta, float* c, int64_t ldc);

// The bf16 kernel's register block: rows of A, columns of B (a packed panel's width).
int64_t bf16_tile_rows();
int64_t bf16_panel_width();

// The plain loop gemm_bf16 must agree with: gemm_naive (core/blas.h) on the inputs rounded to
// bf16. It agrees up to the order of the float32 sums.
void gemm_bf16_naive(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                     int64_t ldc);

}  // namespace ember::core
