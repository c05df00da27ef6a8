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
// (column block, slice) and A per (row block, slice). A weight multiplied by many inputs (a
// recurrent layer's, at every step) can be packed once, over all of k (pack_bf16_panels): then
// only A is packed per product (gemm_bf16_avx512_packed).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

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

constexpr int64_t kMR = kBf16TileRows;    // rows of the register block: 12
constexpr int64_t kNR = kBf16PanelWidth;  // its columns, 32: two registers of 16 float32
constexpr int64_t kKC = 256;   // inner-dimension slice: a packed 256 x 32 slice of B is 16 KiB
constexpr int64_t kMC = 120;   // rows of A packed at once (10 register blocks: 60 KiB, in L2)
constexpr int64_t kNC = 2048;  // columns of B packed at once (1 MiB at most)

// Sixteen lanes as GCC's vector types, whose operators (+, >>, &, ==) act lane by lane.
typedef uint32_t u32x16 __attribute__((vector_size(64)));
typedef uint16_t u16x16 __attribute__((vector_size(32)));

// x rounded to bf16 (core/bf16.h's to_bf16, sixteen lanes at once), each bf16 in the low half of
// its 32-bit lane: adding 0x7fff plus the lowest kept bit carries into the kept half exactly as in
// to_bf16; a NaN becomes the quiet NaN 0x7fc0. (vcvtne2ps2bf16 would round 32 floats in one
// instruction, but its NaNs keep their payloads, and tests compare bits with to_bf16.)
u32x16 round_to_bf16_lanes(__m512 x) {
  const auto bits = reinterpret_cast<u32x16>(x);
  const u32x16 rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  return (bits & 0x7fffffffu) > 0x7f800000u ? u32x16{} + 0x7fc0u : rounded;
}

// The mask of the first `count` lanes of sixteen (none when count <= 0, all when >= 16).
__mmask16 first_lanes(int64_t count) {
  if (count <= 0) return 0;
  return count >= 16 ? __mmask16(0xffff) : __mmask16((1u << count) - 1);
}

// Packs `rows` lines of a matrix X, whose element (r, k) is x[r * rs + k * ks], for k in [0, kc),
// as pairs: out[(p * R + r) * 2 + q] = bf16(X(r, 2p + q)), R <= 32. Lines rows..R-1 and a last odd
// k are zeros, so the kernel always runs whole blocks. A block of rows of op(A) and a block of
// columns of op(B) are both such lines (with their strides swapped by the transposes). Seen as
// 32-bit words, out[p * R + r] is line r's pair p: bf16(X(r, 2p)) | bf16(X(r, 2p + 1)) << 16.
//
// Packing runs once per element, the kernel M (or N) times; but a bf16 multiply-add is so cheap
// that a packing of one element at a time took a third of a Transformer step (perf, W1). So both
// layouts of X are packed sixteen lanes at a time:
//  - ks == 1 (each line contiguous in k: A as stored, B transposed): 32 floats of a line round
//    to 16 words in their order (the bf16 of k and k+1 are one little-endian word), written to a
//    line of a small tile; the tile is then transposed into out (words of one pair, all lines).
//  - otherwise rs == 1, as the driver's strides always make one of them (k's rows contiguous across
//  lines): rows 2p and 2p+1 round lane by lane
//    and interleave as lo | hi << 16, 16 lines of out at once.
void pack_pairs(const float* x, int64_t rs, int64_t ks, int64_t rows, int64_t R, int64_t kc,
                uint16_t* out) {
  const int64_t pairs = (kc + 1) / 2;
  auto* words = reinterpret_cast<uint32_t*>(out);
  if (ks == 1) {
    alignas(64) uint32_t tile[kNR][16];
    for (int64_t p0 = 0; p0 < pairs; p0 += 16) {
      const int64_t k0 = 2 * p0, np = std::min<int64_t>(16, pairs - p0);
      for (int64_t r = 0; r < R; ++r) {
        const float* line = x + r * rs + k0;
        const int64_t left = r < rows ? kc - k0 : 0;  // lines past `rows` are zeros
        const __m512 lo = _mm512_maskz_loadu_ps(first_lanes(left), line);
        const __m512 hi = _mm512_maskz_loadu_ps(first_lanes(left - 16), line + 16);
        // the low halves of the lanes, in order (vpmovdw)
        const u16x16 first = __builtin_convertvector(round_to_bf16_lanes(lo), u16x16);
        const u16x16 second = __builtin_convertvector(round_to_bf16_lanes(hi), u16x16);
        std::memcpy(tile[r], &first, sizeof first);
        std::memcpy(tile[r] + 8, &second, sizeof second);
      }
      for (int64_t t = 0; t < np; ++t)
        for (int64_t r = 0; r < R; ++r) words[(p0 + t) * R + r] = tile[r][t];
    }
    return;
  }
  for (int64_t p = 0; p < pairs; ++p) {
    const float* even = x + 2 * p * ks;
    const bool has_odd = 2 * p + 1 < kc;
    for (int64_t r0 = 0; r0 < R; r0 += 16) {
      const __mmask16 in = first_lanes(rows - r0);
      const u32x16 lo = round_to_bf16_lanes(_mm512_maskz_loadu_ps(in, even + r0));
      const u32x16 hi =
          round_to_bf16_lanes(_mm512_maskz_loadu_ps(has_odd ? in : __mmask16(0), even + ks + r0));
      _mm512_mask_storeu_epi32(words + p * R + r0, first_lanes(R - r0),
                               reinterpret_cast<__m512i>(lo | hi << 16));
    }
  }
}

// The micro-kernel: the kRows x 32 block C = alpha * A B + beta * C (beta = 0: C is not read),
// kRows <= 12, with A packed as pairs x 12 x 2 and B as pairs x 32 x 2 bf16 (pack_pairs); only
// the first `cols` columns of C are written (masked stores). A block at the bottom edge (the last
// 4 of a recurrent step's 64 rows) runs its own kRows, not 12 rows of which 8 are padding.
template <int kRows>
void micro_kernel(int64_t pairs, const uint16_t* a, const uint16_t* b, int64_t cols, float alpha,
                  float beta, float* c, int64_t ldc) {
  __m512 acc[kRows][2];
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < pairs; ++p) {
    // Columns 0-15 and 16-31 of B, each lane one column's pair (k, k+1).
    const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b);
    const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + 32);
#pragma GCC unroll 12
    for (int i = 0; i < kRows; ++i) {
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
  const __mmask16 lanes[2] = {first_lanes(cols), first_lanes(cols - 16)};
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) {
    for (int h = 0; h < 2; ++h) {
      float* ci = c + i * ldc + h * 16;
      const __m512 prev = beta == 0.0f ? _mm512_setzero_ps()
                                       : _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(lanes[h], ci));
      _mm512_mask_storeu_ps(ci, lanes[h], _mm512_fmadd_ps(va, acc[i][h], prev));
    }
  }
}

// A block of C of rows x cols <= 12 x 32, on the micro-kernel of its number of rows.
void block(int64_t pairs, const uint16_t* a, const uint16_t* b, int64_t rows, int64_t cols,
           float alpha, float beta, float* c, int64_t ldc) {
  using Kernel =
      void (*)(int64_t, const uint16_t*, const uint16_t*, int64_t, float, float, float*, int64_t);
  static_assert(kMR == 12, "one kernel per number of rows, 1 to 12");
  static constexpr Kernel kByRows[kMR] = {micro_kernel<1>,  micro_kernel<2>,  micro_kernel<3>,
                                          micro_kernel<4>,  micro_kernel<5>,  micro_kernel<6>,
                                          micro_kernel<7>,  micro_kernel<8>,  micro_kernel<9>,
                                          micro_kernel<10>, micro_kernel<11>, micro_kernel<12>};
  kByRows[rows - 1](pairs, a, b, cols, alpha, beta, c, ldc);
}

// C[:, 0:nc] = alpha * op(A)[:, pc:pc+kc] B + beta_here * C for one kc-deep slice of the inner
// dimension, whose B is already packed: panel jr / 32 (32 columns, pack_pairs' layout) at
// b + (jr / 32) * panel_stride. A is packed here, kMC rows at a time; op(A)(i, k) = a[i * ars + k *
// aks] with a at column pc.
void multiply_slice(int64_t m, int64_t nc, int64_t kc, float alpha, const float* a, int64_t ars,
                    int64_t aks, const uint16_t* b, int64_t panel_stride, float beta_here, float* c,
                    int64_t ldc) {
  const int64_t pairs = (kc + 1) / 2;
  thread_local std::vector<uint16_t> packed_a;  // reused by every call of a thread
  packed_a.resize(static_cast<size_t>(kMC * (kKC + 1)));
  for (int64_t ic = 0; ic < m; ic += kMC) {
    const int64_t mc = std::min(kMC, m - ic);
    for (int64_t ir = 0; ir < mc; ir += kMR)
      pack_pairs(a + (ic + ir) * ars, ars, aks, std::min(kMR, mc - ir), kMR, kc,
                 packed_a.data() + ir * pairs * 2);
    for (int64_t jr = 0; jr < nc; jr += kNR)
      for (int64_t ir = 0; ir < mc; ir += kMR)
        block(pairs, packed_a.data() + ir * pairs * 2, b + (jr / kNR) * panel_stride,
              std::min(kMR, mc - ir), std::min(kNR, nc - jr), alpha, beta_here,
              c + (ic + ir) * ldc + jr, ldc);
  }
}

}  // namespace

void gemm_bf16_avx512(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                      float* c, int64_t ldc) {
  // op(A)(i, k) = a[i * ars + k * aks], op(B)(k, j) = b[j * brs + k * bks].
  const int64_t ars = trans_a ? 1 : lda, aks = trans_a ? lda : 1;
  const int64_t brs = trans_b ? ldb : 1, bks = trans_b ? 1 : ldb;
  thread_local std::vector<uint16_t> packed_b;  // reused by every call of a thread
  packed_b.resize(static_cast<size_t>(kNC * (kKC + 1)));
  for (int64_t jc = 0; jc < n; jc += kNC) {
    const int64_t nc = std::min(kNC, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKC) {
      const int64_t kc = std::min(kKC, k - pc), pairs = (kc + 1) / 2;
      for (int64_t jr = 0; jr < nc; jr += kNR)
        pack_pairs(b + (jc + jr) * brs + pc * bks, brs, bks, std::min(kNR, nc - jr), kNR, kc,
                   packed_b.data() + jr * pairs * 2);
      multiply_slice(m, nc, kc, alpha, a + pc * aks, ars, aks, packed_b.data(), kNR * pairs * 2,
                     pc == 0 ? beta : 1.0f, c + jc, ldc);  // later slices add to the first
    }
  }
}

void pack_bf16_panels(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb,
                      uint16_t* out) {
  const int64_t brs = trans_b ? ldb : 1, bks = trans_b ? 1 : ldb;
  const int64_t panel_size = kNR * ((k + 1) / 2) * 2;
  for (int64_t jr = 0; jr < n; jr += kNR)
    pack_pairs(b + jr * brs, brs, bks, std::min(kNR, n - jr), kNR, k,
               out + (jr / kNR) * panel_size);
}

void gemm_bf16_avx512_packed(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha,
                             const float* a, int64_t lda, const uint16_t* panels, float beta,
                             float* c, int64_t ldc) {
  const int64_t ars = trans_a ? 1 : lda, aks = trans_a ? lda : 1;
  const int64_t panel_size = kNR * ((k + 1) / 2) * 2;
  // Slice pc of a panel packed over the whole of k starts at pair pc / 2 (pc is even): the same
  // pairs, in the same order, as a panel packed for that slice alone.
  for (int64_t pc = 0; pc < k; pc += kKC)
    multiply_slice(m, n, std::min(kKC, k - pc), alpha, a + pc * aks, ars, aks, panels + pc * kNR,
                   panel_size, pc == 0 ? beta : 1.0f, c, ldc);
}

}  // namespace ember::core

#if defined(__clang__)
#pragma clang attribute pop
#endif
