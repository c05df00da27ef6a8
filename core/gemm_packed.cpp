// core::gemm_packed: the loops of a packed GEMM (Goto and van de Geijn 2008; BLIS's loops) around
// the micro-kernel of core/isa/gemm_packed_kernels.inc, with B packed once by PackedMatrix.
//
// Per call, over the block of C a thread owns: the inner dimension in kKC-deep slices (the first
// applies beta, the later ones add to C), the rows in kMC-row blocks, then every B panel against
// every mr rows of the block. A B panel slice (kKC x nr) stays in the L1 or L2 cache while it
// meets each group of rows of A; with the M = 64 rows of a recurrent step, every panel of B is
// read from memory once per product. The kernel reads A in place; a transposed A is first copied
// row-major, one kMC x kKC block at a time. A matrix packed under bf16 products runs on
// core::gemm_bf16_packed instead, over the same split of C between threads.
#include "ember/core/gemm_packed.h"

#include <algorithm>
#include <vector>

#include "ember/core/blas.h"
#include "ember/core/error.h"
#include "ember/core/gemm_bf16.h"
#include "ember/core/isa/kernel_table.h"
#include "ember/core/threads.h"

namespace ember::core {
namespace {

constexpr int64_t kKC = 512;  // inner-dimension slice
constexpr int64_t kMC = 144;  // rows of A per block (a multiple of every level's mr)

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// C[i0:i1, panels j0:j1] of the product, on this thread.
void product_block(const PackedGemmKernels& kern, bool trans_a, int64_t i0, int64_t i1, int64_t j0,
                   int64_t j1, float alpha, const float* a, int64_t lda, const PackedMatrix& b,
                   float beta, float* c, int64_t ldc) {
  const int64_t mr = kern.mr, nr = kern.nr, k = b.k(), n = b.n();
  thread_local std::vector<float> a_rows;  // a transposed A's block, row-major (kMC x kKC)
  float tile[kMaxPackedMR * 32];           // a block of C at the edge, nr <= 32
  for (int64_t pc = 0; pc < k; pc += kKC) {
    const int64_t kc = std::min(kKC, k - pc);
    const float beta_here = pc == 0 ? beta : 1.0f;  // later slices add to the first
    for (int64_t ic = i0; ic < i1; ic += kMC) {
      const int64_t mc = std::min(kMC, i1 - ic);
      // op(A)[ic:ic+mc, pc:pc+kc], row-major with row stride ald.
      const float* ab = a + ic * lda + pc;
      int64_t ald = lda;
      if (trans_a) {  // op(A)(i, p) = a[p * lda + i]
        a_rows.resize(static_cast<size_t>(kMC * kKC));
        for (int64_t p = 0; p < kc; ++p)
          for (int64_t r = 0; r < mc; ++r) a_rows[r * kc + p] = a[(pc + p) * lda + ic + r];
        ab = a_rows.data();
        ald = kc;
      }
      for (int64_t jp = j0; jp < j1; ++jp) {
        const float* bp = b.panel(jp) + pc * nr;
        const int64_t cols = std::min(nr, n - jp * nr);
        for (int64_t ir = 0; ir < mc; ir += mr) {
          const int64_t rows = std::min(mr, mc - ir);
          const float* ap = ab + ir * ald;
          float* cp = c + (ic + ir) * ldc + jp * nr;
          if (cols == nr) {
            kern.tile[rows - 1](kc, ap, ald, bp, alpha, beta_here, cp, ldc);
            continue;
          }
          kern.tile[rows - 1](kc, ap, ald, bp, alpha, 0.0f, tile, nr);  // then merge the valid part
          for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j) {
              float& out = cp[i * ldc + j];
              out = tile[i * nr + j] + (beta_here == 0.0f ? 0.0f : beta_here * out);
            }
        }
      }
    }
  }
}

}  // namespace

PackedMatrix::PackedMatrix(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb, Isa isa,
                           MatmulPrecision precision)
    : k_(k), n_(n), isa_(isa), precision_(precision) {
  EMBER_CHECK(k >= 0 && n >= 0, "[gemm_packed] cannot pack a ({}, {}) matrix", k, n);
  if (precision == MatmulPrecision::bf16) {
    nr_ = bf16_panel_width();
    isa_ = Isa::avx512;
    bf16_panels_.resize(static_cast<size_t>(std::max<int64_t>(1, bf16_packed_size(k, n))));
    pack_bf16(trans_b, k, n, b, ldb, bf16_panels_.data());
    return;
  }
  nr_ = kernel_table(isa).packed_gemm.nr;
  const int64_t panels = ceil_div(n, nr_);
  panels_ = NDArray::empty({std::max<int64_t>(1, panels * k * nr_)});
  // op(B)(p, j) = b[j * brs + p * bks]; panel jp holds columns jp*nr ... as rows of nr floats.
  const int64_t brs = trans_b ? ldb : 1, bks = trans_b ? 1 : ldb;
  parallel_for(panels, panels * k * nr_ >= kParallelElements, [&](int64_t jp) {
    float* out = panels_.data() + jp * k * nr_;
    const int64_t cols = std::min(nr_, n - jp * nr_);
    for (int64_t p = 0; p < k; ++p) {
      const float* in = b + jp * nr_ * brs + p * bks;
      float* o = out + p * nr_;
      for (int64_t j = 0; j < cols; ++j) o[j] = in[j * brs];
      std::fill(o + cols, o + nr_, 0.0f);
    }
  });
}

void gemm_packed(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                 const PackedMatrix& b, float beta, float* c, int64_t ldc) {
  EMBER_CHECK(b.defined(), "[gemm_packed] the packed matrix is empty (for op(A) with {} rows)", m);
  const int64_t n = b.n(), k = b.k();
  if (m == 0 || n == 0) return;
  if (k == 0) {  // no products: C = beta * C, as core::gemm makes it
    gemm(trans_a, false, m, n, 0, alpha, a, lda, nullptr, n, beta, c, ldc);
    return;
  }
  const bool bf16 = b.precision() == MatmulPrecision::bf16;
  const PackedGemmKernels* kern = bf16 ? nullptr : &kernel_table(b.isa()).packed_gemm;
  const int64_t nr = b.panel_width(), mr = bf16 ? bf16_tile_rows() : kern->mr;
  const int64_t panels = ceil_div(n, nr);
  // C[i0:i1, panels j0:j1], on this thread.
  const auto block = [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    if (!bf16) {
      product_block(*kern, trans_a, i0, i1, j0, j1, alpha, a, lda, b, beta, c, ldc);
      return;
    }
    const int64_t first = j0 * nr, cols = std::min(n, j1 * nr) - first;
    gemm_bf16_packed(trans_a, i1 - i0, cols, k, alpha, trans_a ? a + i0 : a + i0 * lda, lda,
                     b.bf16_panels() + j0 * bf16_packed_size(k, nr), beta, c + i0 * ldc + first,
                     ldc);
  };
  if (m * n * k < kParallelMacs || num_threads() == 1) {
    block(0, m, 0, panels);
    return;
  }
  // Each thread a block of C: whole panels of columns, or whole slivers of rows when M > N.
  if (n >= m) {
    parallel_chunks(panels, [&](int64_t j0, int64_t j1) { block(0, m, j0, j1); });
  } else {
    parallel_chunks(ceil_div(m, mr), [&](int64_t s0, int64_t s1) {
      block(s0 * mr, std::min(m, s1 * mr), 0, panels);
    });
  }
}

}  // namespace ember::core
