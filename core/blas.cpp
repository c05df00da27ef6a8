#include "ember/core/blas.h"

#include <cblas.h>
#ifdef EMBER_HAVE_DNNL
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#endif

#include <algorithm>
#include <vector>

#include "ember/core/bf16.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"
#include "ember/core/gemm_bf16.h"
#include "ember/core/precision.h"
#include "ember/core/threads.h"

namespace ember::core {
namespace {

// A row vector times a matrix reads every element of the matrix once for 1 multiply-add: it is
// bound by memory bandwidth, which two cores share better than one, from a smaller size on.
constexpr int64_t kParallelGemvMacs = int64_t{1} << 19;
constexpr int64_t kBlockAlign = 16;  // split points on whole SIMD panels of OpenBLAS's kernels

// oneDNN's sgemm where the CPU has AVX-512 and ember was built with oneDNN: it picks its kernels
// from CPUID at run time, and its AVX-512 ones run about twice as fast as the AVX2 (Haswell)
// kernels of OpenBLAS that this environment's OPENBLAS_CORETYPE forces. At the AVX2 level
// OpenBLAS is as fast as oneDNN's AVX2 kernels or faster (docs/performance.md has both runs).
bool products_by_dnnl() {
#ifdef EMBER_HAVE_DNNL
  static const bool dnnl = active_isa() == Isa::avx512;
  return dnnl;
#else
  return false;
#endif
}

// One single-threaded product (OpenBLAS's own pool is kept at one thread: set_blas_threads).
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc) {
#ifdef EMBER_HAVE_DNNL
  if (products_by_dnnl()) {
    // oneDNN threads with OpenMP, as many threads as omp_get_max_threads(): one here (this
    // thread's setting only, restored after), as ember's pool splits the product itself.
    const int outer = omp_get_max_threads();
    omp_set_num_threads(1);
    const dnnl_status_t status = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k,
                                            alpha, a, lda, b, ldb, beta, c, ldc);
    omp_set_num_threads(outer);
    EMBER_CHECK(status == dnnl_success,
                "[gemm] oneDNN's sgemm failed (status {}) on ({}, {}) @ ({}, {})",
                static_cast<int>(status), m, k, k, n);
    return;
  }
#endif
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

// Calls part(begin, end) on aligned blocks of [0, n) over ember's threads.
template <class Part>
void split(int64_t n, Part&& part) {
  const int64_t blocks = (n + kBlockAlign - 1) / kBlockAlign;
  parallel_chunks(blocks, [&](int64_t first, int64_t last) {
    part(first * kBlockAlign, std::min(n, last * kBlockAlign));
  });
}

// A product whose inner dimension is by far its longest (a weight's gradient, k = a batch's
// tokens) over ember's threads: thread t sums op(A)[:, kt] op(B)[kt, :] over its own slice kt of
// k, thread 0 into C, the others into scratch blocks added into C after. Each thread then packs
// 1/T of both inputs, where a split of C's rows or columns would make every thread pack the whole
// of one.
template <class Product>
void product_over_k_slices(Product product, bool trans_a, bool trans_b, int64_t m, int64_t n,
                           int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                           int64_t ldb, float beta, float* c, int64_t ldc) {
  // slices of at least kBlockAlign, as even as integers allow: slice t is [t k / T, (t + 1) k / T)
  const int64_t parts = std::clamp<int64_t>(k / kBlockAlign, 1, num_threads());
  std::vector<float> partial(static_cast<size_t>((parts - 1) * m * n));
  parallel_chunks(parts, [&](int64_t first, int64_t last) {
    for (int64_t t = first; t < last; ++t) {
      const int64_t k0 = t * k / parts, kt = (t + 1) * k / parts - k0;
      const float* at = trans_a ? a + k0 * lda : a + k0;  // op(A)(0, k0), op(B)(k0, 0)
      const float* bt = trans_b ? b + k0 : b + k0 * ldb;
      if (t == 0)
        product(trans_a, trans_b, m, n, kt, alpha, at, lda, bt, ldb, beta, c, ldc);
      else
        product(trans_a, trans_b, m, n, kt, alpha, at, lda, bt, ldb, 0.0f,
                partial.data() + (t - 1) * m * n, n);
    }
  });
  parallel_for(m, m * n >= kParallelElements, [&](int64_t i) {
    float* row = c + i * ldc;
    for (int64_t t = 1; t < parts; ++t) {
      const float* add = partial.data() + ((t - 1) * m + i) * n;
      for (int64_t j = 0; j < n; ++j) row[j] += add[j];
    }
  });
}

// The triple loop of gemm_naive and gemm_bf16_naive, each input passed through `input` first.
template <class Input>
void naive_product(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                   int64_t ldc, Input input) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        const float av = input(trans_a ? a[p * lda + i] : a[i * lda + p]);
        const float bv = input(trans_b ? b[j * ldb + p] : b[p * ldb + j]);
        acc += static_cast<double>(av) * bv;
      }
      const float prev = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
      c[i * ldc + j] = alpha * static_cast<float>(acc) + prev;
    }
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // BLAS leaves C untouched for k = 0 only when beta = 1
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  if (m == 1) {  // a row vector times a matrix: GEMV is ~8x faster than GEMM here (no packing)
    if (beta == 0.0f)  // never let garbage (NaN) in an uninitialised C through 0 * NaN
      for (int64_t j = 0; j < n; ++j) c[j] = 0.0f;
    const int incx = trans_a ? static_cast<int>(lda) : 1;
    // op(B) = B^T with B (N, K) stored: y = B a.   op(B) = B (K, N) stored: y = B^T a.
    // Outputs [j0, j1) read B's rows j0.. (stored (N, K)) or its columns j0.. (stored (K, N)).
    const auto columns = [&](int64_t j0, int64_t j1) {
      const int64_t width = j1 - j0;
      cblas_sgemv(CblasRowMajor, trans_b ? CblasNoTrans : CblasTrans,
                  static_cast<int>(trans_b ? width : k), static_cast<int>(trans_b ? k : width),
                  alpha, trans_b ? b + j0 * ldb : b + j0, static_cast<int>(ldb), a, incx, beta,
                  c + j0, 1);
    };
    if (n * k < kParallelGemvMacs || num_threads() == 1)
      columns(0, n);
    else
      split(n, columns);
    return;
  }
  if (k == 1) {  // an outer product: a rank-1 update (GER), with none of GEMM's packing
    for (int64_t i = 0; i < m; ++i) {
      float* row = c + i * ldc;
      if (beta == 0.0f) std::fill(row, row + n, 0.0f);  // 0 * NaN must not leak through
      else if (beta != 1.0f)
        for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
    // op(A)[i, 0] is a[i] (A stored (1, M)) or a[i * lda]; op(B)[0, j] is b[j * ldb] or b[j].
    cblas_sger(CblasRowMajor, static_cast<int>(m), static_cast<int>(n), alpha, a,
               trans_a ? 1 : static_cast<int>(lda), b, trans_b ? static_cast<int>(ldb) : 1, c,
               static_cast<int>(ldc));
    return;
  }
  // The single-threaded product of this thread's precision (core/precision.h), read here, before
  // the work is split over the pool.
  const auto product = matmul_precision() == MatmulPrecision::bf16 ? gemm_bf16 : sgemm;
  if (m * n * k < kParallelMacs || num_threads() == 1) {
    product(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // ember's threads (which sleep between jobs) each compute a block of C with a single-threaded
  // GEMM: for bf16, a slice of the inner dimension when it is at least 1.5 times the longest of
  // the others (below: ember's bf16 kernel is bound by its packing; oneDNN's float32 products are
  // not, and a square product runs slower so, 0.82 to 0.93 times at 2 threads, for the scratch
  // block and its sum); else a block of columns, op(B)[:, j0:j1], or of rows, op(A)[i0:i1, :],
  // whichever is longer.
  if (product == gemm_bf16 && 2 * k >= 3 * std::max(m, n)) {
    product_over_k_slices(product, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else if (n >= m) {
    split(n, [&](int64_t j0, int64_t j1) {
      product(trans_a, trans_b, m, j1 - j0, k, alpha, a, lda, trans_b ? b + j0 * ldb : b + j0, ldb,
              beta, c + j0, ldc);
    });
  } else {
    split(m, [&](int64_t i0, int64_t i1) {
      product(trans_a, trans_b, i1 - i0, n, k, alpha, trans_a ? a + i0 : a + i0 * lda, lda, b, ldb,
              beta, c + i0 * ldc, ldc);
    });
  }
}

void gemv(bool trans_a, int64_t rows, int64_t cols, float alpha, const float* a, int64_t lda,
          const float* x, int64_t incx, float beta, float* y, int64_t incy) {
  cblas_sgemv(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, static_cast<int>(rows),
              static_cast<int>(cols), alpha, a, static_cast<int>(lda), x, static_cast<int>(incx),
              beta, y, static_cast<int>(incy));
}

void set_blas_threads(int n) { openblas_set_num_threads(n); }

std::string_view gemm_backend() { return products_by_dnnl() ? "oneDNN" : "OpenBLAS"; }

void gemm_naive(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                int64_t ldc) {
  naive_product(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                [](float x) { return x; });
}

void gemm_bf16_naive(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                     int64_t ldc) {
  naive_product(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, round_to_bf16);
}

}  // namespace ember::core
