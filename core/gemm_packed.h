// Products with an operand packed once and reused: C = alpha * op(A) @ B' + beta * C, row-major,
// where B' = op(B) (K, N) was packed into a PackedMatrix beforehand. A recurrent layer multiplies
// the same weight by a new state at every time step; core::gemm (OpenBLAS, oneDNN) packs the
// weight again at each call, gemm_packed reads the panels packed once (docs/performance.md,
// "Packed weights"). Runs on ember's own float32 micro-kernel of the instruction set the matrix
// was packed for (core/isa/gemm_packed_kernels.inc), or, for a matrix packed under bf16 products
// (core/precision.h), on the bf16 kernel of core/gemm_bf16.h; large products are split over
// ember's threads like core::gemm's.
#pragma once

#include <cstdint>
#include <vector>

#include "ember/core/cpu_isa.h"
#include "ember/core/ndarray.h"
#include "ember/core/precision.h"

namespace ember::core {

// op(B) (K, N) packed for the micro-kernel of one instruction set: panels of nr columns (the last
// padded with zeros), each panel K rows of nr floats, so that the kernel reads it front to back.
// Under bf16 products, rounded to bf16 and packed for the bf16 kernel instead (pack_bf16).
class PackedMatrix {
 public:
  PackedMatrix() = default;  // empty: defined() is false
  // op(B) = B^T when trans_b; B row-major with row stride ldb (op(B) is (k, n)). `isa` at most
  // cpu_isa() (an ember::Error otherwise); tests pack at every level. Under
  // MatmulPrecision::bf16 (this thread's precision by default) `isa` is not used: the bf16 kernel
  // is AVX-512's (an ember::Error where bf16_unsupported_reason() is set).
  PackedMatrix(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb,
               Isa isa = active_isa(), MatmulPrecision precision = matmul_precision());

  bool defined() const { return panels_.defined() || !bf16_panels_.empty(); }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  Isa isa() const { return isa_; }
  MatmulPrecision precision() const { return precision_; }
  int64_t panel_width() const { return nr_; }
  const float* panel(int64_t j) const { return panels_.data() + j * k_ * nr_; }  // j-th nr columns
  const uint16_t* bf16_panels() const { return bf16_panels_.data(); }            // under bf16

 private:
  int64_t k_ = 0, n_ = 0, nr_ = 0;
  Isa isa_ = Isa::portable;
  MatmulPrecision precision_ = MatmulPrecision::fp32;
  NDArray panels_;  // 64-byte aligned storage (core/allocator.h), ceil(n / nr) * k * nr floats
  std::vector<uint16_t> bf16_panels_;  // under bf16: bf16_packed_size(k, n) values
};

// C = alpha * op(A) @ B' + beta * C with B' = b (K, N) packed; op(A) (M, K), A row-major with row
// stride lda (op(A) = A^T when trans_a); C (M, N) with row stride ldc. beta = 0: C is not read.
// In bf16 when b was packed under bf16 products, whatever this thread's precision.
void gemm_packed(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                 const PackedMatrix& b, float beta, float* c, int64_t ldc);

}  // namespace ember::core
