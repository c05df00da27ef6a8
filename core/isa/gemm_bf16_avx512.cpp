// core::gemm_bf16 (core/gemm_bf16.h) on AVX512_BF16: the loops of a packed GEMM (Goto and van de
// Geijn, "Anatomy of high-performance matrix multiplication", 2008; BLIS's five loops) around one
// micro-kernel that keeps a 12 x 32 block of C in registers.
//
// Why the micro-kernel is fast. A CPU core multiplies far faster than it can fetch operands from
// memory, so the whole design is about reuse:
//  1. Register blocking. The 12 x 32 block of C lives in 24 registers (12 rows of two 16-float
//     registers) for the whole inner dimension. Each step loads 2 registers of B (32 columns) and
//     12 broadcasts of A (one per row), and does 24 vector multiply-adds with them: every float
//     loaded feeds 12 or 32 products, so loads never limit the multiply units. 24 independent
//     accumulators also cover the multiply-add's latency (each waits only on itself, 24 steps
//     apart, so the units never stall).
//  2. Packing. Before the products, a KC x 32 slice of B and a 12 x KC slice of A are copied
//     into small contiguous buffers in exactly the order the kernel reads them, rounding to bf16
//     on the way: the kernel then streams memory front to back (no strides, no transposes, no
//     TLB misses), the B slice stays in the L1 cache while it meets every 12-row slice of A from
//     the L2 cache, and each input is rounded once, not once per use.
//  3. vdpbf16ps (_mm512_dpbf16_ps). Each of its 16 float32 lanes adds the products of a PAIR of
//     bf16 numbers: acc[j] += a[2j] * b[2j] + a[2j+1] * b[2j+1]. One instruction thus does 32
//     multiply-adds where the float32 FMA does 16, from half the bytes: twice float32's speed
//     where the CPU issues it as fast as an FMA. (The Xeon of docs/performance.md issues it at a
//     quarter of the FMA's rate, so there it runs at half float32's speed.) To feed it, B is
//     packed as pairs of consecutive k (k, k+1) for each column, and A as the same pairs per
//     row, broadcast to every lane as one 32-bit word.
//
// The driver splits C into NC-column blocks, the inner dimension into KC-deep slices (the first
// slice applies beta, the others add to C), and the rows into MC-row blocks, packing B per
// (column block, slice) and A per (row block, slice).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ember/core/bf16.h"
#include "ember/core/isa/gemm_bf16_kernel.h"

// Everything below is compiled for AVX-512 with BF16, whatever the build's baseline: it only runs
// where core::gemm_bf16 (core/gemm_bf16.cpp, compiled for the baseline) found the instructions.
// The headers above stay compiled for the baseline (core/isa/kernel_instance.inc explains why).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))), \
                             apply_to = function)
#else
#pragma GCC target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl,avx512bf16,prefer-vector-width=512")
#endif

namespace ember::core {
namespace {

constexpr int64_t kMR = 12;    // rows of the register block
constexpr int64_t kNR = 32;    // its columns: two registers of 16 float32
constexpr int64_t kKC = 256;   // inner-dimension slice: a packed 256 x 32 slice of B is 16 KiB
constexpr int64_t kMC = 120;   // rows of A packed at once (10 register blocks: 60 KiB, in L2)
constexpr int64_t kNC = 2048;  // columns of B packed at once (1 MiB at most)

// Packs `rows` lines of a matrix X, whose element (r, k) is x[r * rs + k * ks], for k in [0, kc),
// as pairs: out[(p * R + r) * 2 + q] = bf16(X(r, 2p + q)). Lines rows..R-1 and a last odd k are
// zeros, so the kernel always runs whole blocks. A block of rows of op(A) and a block of columns
// of op(B) are both such lines (with their strides swapped by the transposes).
void pack_pairs(const float* x, int64_t rs, int64_t ks, int64_t rows, int64_t R, int64_t kc,
                uint16_t* out) {
  const int64_t pairs = (kc + 1) / 2;
  for (int64_t p = 0; p < pairs; ++p) {
    uint16_t* o = out + p * R * 2;
    for (int64_t q = 0; q < 2; ++q) {
      const int64_t kk = 2 * p + q;
      if (kk >= kc) {
        for (int64_t r = 0; r < R; ++r) o[r * 2 + q] = 0;
        continue;
      }
      const float* col = x + kk * ks;
      for (int64_t r = 0; r < rows; ++r) o[r * 2 + q] = to_bf16(col[r * rs]);
      for (int64_t r = rows; r < R; ++r) o[r * 2 + q] = 0;
    }
  }
}

// The micro-kernel: the 12 x 32 block C = alpha * A B + beta * C (beta = 0: C is not read), with
// A packed as pairs x 12 x 2 and B as pairs x 32 x 2 bf16 (pack_pairs).
void micro_kernel(int64_t pairs, const uint16_t* a, const uint16_t* b, float alpha, float beta,
                  float* c, int64_t ldc) {
  __m512 acc[kMR][2];
#pragma GCC unroll 12
  for (int64_t i = 0; i < kMR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < pairs; ++p) {
    // Columns 0-15 and 16-31 of B, each lane one column's pair (k, k+1).
    const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b);
    const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + 32);
#pragma GCC unroll 12
    for (int64_t i = 0; i < kMR; ++i) {
      // Row i's pair (k, k+1) of A, as one 32-bit word, in every lane.
      int32_t pair;
      __builtin_memcpy(&pair, a + i * 2, sizeof pair);
      const __m512bh ai = (__m512bh)_mm512_set1_epi32(pair);
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], ai, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], ai, b1);
    }
    a += kMR * 2;
    b += kNR * 2;
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
  for (int64_t i = 0; i < kMR; ++i) {
    for (int64_t h = 0; h < 2; ++h) {
      float* ci = c + i * ldc + h * 16;
      const __m512 prev =
          beta == 0.0f ? _mm512_setzero_ps() : _mm512_mul_ps(vb, _mm512_loadu_ps(ci));
      _mm512_storeu_ps(ci, _mm512_fmadd_ps(va, acc[i][h], prev));
    }
  }
}

// A block of C of rows x cols <= 12 x 32: the kernel straight into C when whole, else into a
// 12 x 32 scratch block whose valid part is then merged into C.
void block(int64_t pairs, const uint16_t* a, const uint16_t* b, int64_t rows, int64_t cols,
           float alpha, float beta, float* c, int64_t ldc) {
  if (rows == kMR && cols == kNR) {
    micro_kernel(pairs, a, b, alpha, beta, c, ldc);
    return;
  }
  float tile[kMR * kNR];
  micro_kernel(pairs, a, b, alpha, 0.0f, tile, kNR);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      float& out = c[i * ldc + j];
      out = tile[i * kNR + j] + (beta == 0.0f ? 0.0f : beta * out);
    }
}

}  // namespace

void gemm_bf16_avx512(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                      float* c, int64_t ldc) {
  // op(A)(i, k) = a[i * ars + k * aks], op(B)(k, j) = b[j * brs + k * bks].
  const int64_t ars = trans_a ? 1 : lda, aks = trans_a ? lda : 1;
  const int64_t brs = trans_b ? ldb : 1, bks = trans_b ? 1 : ldb;
  thread_local std::vector<uint16_t> packed_a, packed_b;  // reused by every call of a thread
  packed_a.resize(static_cast<size_t>(kMC * (kKC + 1)));
  packed_b.resize(static_cast<size_t>(kNC * (kKC + 1)));
  for (int64_t jc = 0; jc < n; jc += kNC) {
    const int64_t nc = std::min(kNC, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKC) {
      const int64_t kc = std::min(kKC, k - pc), pairs = (kc + 1) / 2;
      const float beta_here = pc == 0 ? beta : 1.0f;  // later slices add to the first
      for (int64_t jr = 0; jr < nc; jr += kNR)
        pack_pairs(b + (jc + jr) * brs + pc * bks, brs, bks, std::min(kNR, nc - jr), kNR, kc,
                   packed_b.data() + jr * pairs * 2);
      for (int64_t ic = 0; ic < m; ic += kMC) {
        const int64_t mc = std::min(kMC, m - ic);
        for (int64_t ir = 0; ir < mc; ir += kMR)
          pack_pairs(a + (ic + ir) * ars + pc * aks, ars, aks, std::min(kMR, mc - ir), kMR, kc,
                     packed_a.data() + ir * pairs * 2);
        for (int64_t jr = 0; jr < nc; jr += kNR)
          for (int64_t ir = 0; ir < mc; ir += kMR)
            block(pairs, packed_a.data() + ir * pairs * 2, packed_b.data() + jr * pairs * 2,
                  std::min(kMR, mc - ir), std::min(kNR, nc - jr), alpha, beta_here,
                  c + (ic + ir) * ldc + jc + jr, ldc);
      }
    }
  }
}

}  // namespace ember::core

#if defined(__clang__)
#pragma clang attribute pop
#endif
