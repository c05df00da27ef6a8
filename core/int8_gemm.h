// int8 products for inference: y = x W^T + b with W quantized once to int8 and x quantized on the
// fly, as PyTorch's dynamic quantization does (torch.ao.quantization.quantize_dynamic), after
// Jacob et al. 2018, "Quantization and Training of Neural Networks for Efficient
// Integer-Arithmetic-Only Inference", eq. (4)-(7):
//   weights, once:        W[n, k] ~ sw[n] * qw[n, k]     qw in [-127, 127]
//                         sw[n] = max_k |W[n, k]| / 127  (symmetric, one scale per output channel)
//   activations, per row: x[i, k] ~ sx[i] * (qx[i, k] - zx[i])   qx in [0, Q], zx[i] in [0, Q]
//                         (asymmetric: the row's [min(0, min x), max(0, max x)] onto [0, Q])
//   y[i, n] = sx[i] sw[n] (sum_k qx[i, k] qw[n, k]  -  zx[i] sum_k qw[n, k])  +  b[n]
// The integer sum is exact in int32 (K < 2^16 keeps |sum| < 255 * 127 * K < 2^31); the zero
// point's term uses the weights' row sums kept with them, so the product itself is a plain
// u8 x s8 GEMM. One scale per activation row, not per tensor as PyTorch: a row is one sentence
// (or hypothesis), so its result does not depend on which other rows share the batch.
//
// The integer GEMM runs on oneDNN's dnnl_gemm_u8s8s32 where ember was built with oneDNN and the
// level in use (core/cpu_isa.h) is avx2 or avx512 (oneDNN picks AVX-512 VNNI / AVX-VNNI kernels
// from CPUID; at the avx2 level it is capped to AVX2), and on plain integer loops (portable)
// otherwise. This file's .cpp is the second, and only other, file that includes oneDNN's dnnl.h
// (the first is core/blas.cpp, for sgemm).
//
// Saturation: without VNNI, x86 kernels multiply u8 by s8 with vpmaddubsw, which adds two
// products into a saturating int16: 255 * 127 * 2 > 32767. There Q = 127 (7-bit activations,
// as FBGEMM's reduce_range): 127 * 127 * 2 < 32767, so no path can saturate and every path
// gives the exact integer sum. With VNNI (vpdpbusd adds into int32) and on the portable path,
// Q = 255.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ember::core {

// W (rows, cols) quantized per row (the header's weights), stored row-major as the GEMM reads it.
struct Int8Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<int8_t> values;   // qw (rows, cols)
  std::vector<float> scales;    // sw (rows); 1 for an all-zero row
  std::vector<int32_t> sums;    // sum_k qw[n, k] (rows)
};

// Quantizes W (rows, cols) with row stride ld. Throws ember::Error, naming `what`, when W holds
// a NaN or an infinity.
Int8Matrix quantize_weights(const float* w, int64_t rows, int64_t cols, int64_t ld,
                            std::string_view what);

// Activations x (rows, cols) quantized per row (the header's formula) with Q = `qmax`.
struct Int8Rows {
  int64_t rows = 0, cols = 0;
  std::vector<uint8_t> values;  // qx (rows, cols)
  std::vector<float> scales;    // sx (rows); 1 for an all-zero row
  std::vector<int32_t> zeros;   // zx (rows)
};
// Into `out` (its storage reused). Throws ember::Error, naming `what` and the row, when x holds a
// NaN or an infinity.
void quantize_activations(const float* x, int64_t rows, int64_t cols, int64_t ld, int qmax,
                          std::string_view what, Int8Rows& out);

// Q for the path in use: 255 with VNNI or on the portable path, 127 otherwise (header).
int int8_activation_max();

// C (m, n) = A (m, k) B^T, B stored (n, k): exact int32 sums of u8 x s8 products. Entries of A
// must not exceed int8_activation_max() (the no-saturation guarantee above).
void gemm_u8s8(int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b,
               int64_t ldb, int32_t* c, int64_t ldc);
// The plain loop gemm_u8s8 must equal exactly; tests compare the two.
void gemm_u8s8_reference(int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda,
                         const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc);

// y (m, count) = x (m, K) W[first:first+count]^T + bias, W quantized, x quantized here per row;
// bias (count) or null; ldx, ldy the row strides. Split over ember's threads by blocks of
// output columns when large (core/blas.h's kParallelMacs). Throws as quantize_activations.
void int8_linear(const float* x, int64_t m, int64_t ldx, const Int8Matrix& w, int64_t first,
                 int64_t count, const float* bias, float* y, int64_t ldy, std::string_view what);

// Which code runs gemm_u8s8: "oneDNN, VNNI", "oneDNN, no VNNI (7-bit activations)" or
// "portable loops".
std::string_view int8_backend();

}  // namespace ember::core
