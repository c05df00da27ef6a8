// The one door to BLAS: row-major single-precision GEMM and GEMV. Every other file calls these;
// only blas.cpp includes cblas.h (OpenBLAS) and oneDNN's dnnl.h. GEMM runs on oneDNN's sgemm
// where the CPU has AVX-512 (core/cpu_isa.h) and ember was built with oneDNN, on OpenBLAS
// otherwise; GEMV and GER (bound by memory, not arithmetic) always on OpenBLAS.
#pragma once

#include <cstdint>
#include <string_view>

namespace ember::core {

// C = alpha * op(A) @ op(B) + beta * C, row-major; op(X) = X^T when trans_x.
// op(A) is (M, K), op(B) is (K, N), C is (M, N); lda/ldb/ldc are the row strides as stored.
// A product of 2^21 multiply-adds or more (2^19 when M = 1) is split over ember's threads
// (core/threads.h) by blocks of C's columns or rows (a bf16 product whose K is at least 1.5
// times M and N: by slices of K), each part one single-threaded GEMM (GEMV when M = 1). K = 1 (an
// outer product) is one GER.
// Products of at least this many multiply-adds are split over ember's threads; a smaller one
// takes less time than waking the pool. Callers with many small products (one per head) use it
// to decide whether to spread those over the threads instead.
inline constexpr int64_t kParallelMacs = int64_t{1} << 21;
// The same for a batch of products (core::matmul over leading dimensions), which are spread over
// the threads whole: small ones are GEMVs bound by memory, so a smaller total is worth it.
inline constexpr int64_t kParallelBatchMacs = int64_t{1} << 19;

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// y = alpha * op(A) @ x + beta * y, A row-major (rows, cols) with row stride lda.
void gemv(bool trans_a, int64_t rows, int64_t cols, float alpha, const float* a, int64_t lda,
          const float* x, int64_t incx, float beta, float* y, int64_t incy);

// Threads of OpenBLAS's own pool: core/threads.cpp sets it to one, as ember splits the work.
void set_blas_threads(int n);

// Which library runs gemm at the instruction set in use: "oneDNN" or "OpenBLAS".
std::string_view gemm_backend();

// The plain triple loop that gemm must agree with; tests compare the two (llm.c's habit).
void gemm_naive(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                int64_t ldc);

}  // namespace ember::core
