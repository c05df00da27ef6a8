// Matrix products through BLAS, with PyTorch's matmul semantics.
//   a: (..., M, K)  b: (..., K, N)  ->  (broadcast(...), M, N); 1-D operands are promoted as in
//   torch (a vector a is a row, a vector b is a column, and the added dim is removed).
// A transposed view (last two strides swapped) goes to BLAS as a flag (core/blas_layout.h).
#pragma once

#include "ember/core/ndarray.h"

namespace ember::core {

NDArray matmul(const NDArray& a, const NDArray& b);

// out += a @ b for a (M, K), b (K, N) and out (M, N) contiguous: one BLAS call with beta = 1
// (transposed views of a and b are read as they are stored, as in matmul).
void addmm_(const NDArray& out, const NDArray& a, const NDArray& b);

// The plain-loop product that matmul must agree with (tests only; no broadcasting of 1-D).
NDArray matmul_naive(const NDArray& a, const NDArray& b);

}  // namespace ember::core
