// Joining, splitting and indexing arrays along a dim. Index arguments are IndexArrays; masks are
// NDArrays of 0/1 where 1 (any non-zero) means "masked out", PyTorch's True.
#pragma once

#include <vector>

#include "ember/core/ndarray.h"

namespace ember::core {

// Joins arrays of equal shape except along `dim`.
NDArray concat(const std::vector<NDArray>& xs, int64_t dim);
// Joins arrays of equal shape along a new dim inserted at `dim`.
NDArray stack(const std::vector<NDArray>& xs, int64_t dim);
// Views of consecutive pieces of the given sizes along `dim` (sizes must add up to its size).
std::vector<NDArray> split(const NDArray& x, const std::vector<int64_t>& sizes, int64_t dim);

// out = x with dim `dim` replaced by index's entries:  x: (..., N, ...)  index: (I)  -> (..., I, ...)
NDArray index_select(const NDArray& x, int64_t dim, const IndexArray& index);
// The adjoint of index_select: zeros(shape), then out[.., index[i], ..] += src[.., i, ..].
NDArray index_add(const Shape& shape, int64_t dim, const IndexArray& index, const NDArray& src);
// In place: out[.., index[i], ..] += src[.., i, ..] for every i whose index[i] != skip (an
// embedding's padding row; -1 leaves none out).
void index_add_(const NDArray& out, int64_t dim, const IndexArray& index, const NDArray& src,
                int64_t skip = -1);

// out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (and likewise for any dim); index has x's
// rank and, off `dim`, sizes no larger than x's.
NDArray gather(const NDArray& x, int64_t dim, const IndexArray& index);
// out = base, then out[i][index[i][j][k]][k] += src[i][j][k] for dim = 1 (the adjoint of gather).
NDArray scatter_add(const NDArray& base, int64_t dim, const IndexArray& index, const NDArray& src);

// out = value where mask != 0, else x; mask broadcasts against x.
NDArray masked_fill(const NDArray& x, const NDArray& mask, float value);
// out = a where cond != 0, else b; all three broadcast together.
NDArray where(const NDArray& cond, const NDArray& a, const NDArray& b);

}  // namespace ember::core
