// How BLAS reads a strided view where it lies: the last two dims (R, C) of x as a row-major matrix
// (unit column stride, row stride >= C) or as the transpose of one (unit row stride, column
// stride >= R), with that stride as the leading dimension; a single row or column may have any
// stride. Any other view is copied to a contiguous array first. matmul passes transposed views
// to BLAS as flags this way; the attention ops pass each head's columns of a packed projection.
//   x: (..., R, C)  ->  BlasMatrix{x or its contiguous copy, trans, ld}
#pragma once

#include <cstdint>

#include "ember/core/ndarray.h"

namespace ember::core {

struct BlasMatrix {
  NDArray array;  // x itself, or a contiguous copy of it
  bool trans;     // BLAS reads the last two dims as the transpose of a row-major matrix
  int64_t ld;     // the leading dimension to pass with it
};

// allow_transposed = false asks for a row-major reading (a transposed view is copied), for
// callers that index into the columns.
BlasMatrix blas_matrix(const NDArray& x, bool allow_transposed = true);

}  // namespace ember::core
