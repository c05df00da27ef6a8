// Reductions over chosen dims, with keepdim as in PyTorch. Sums accumulate in double.
#pragma once

#include <vector>

#include "ember/core/ndarray.h"

namespace ember::core {

// Sum over `dims` (negative counts from the end; empty = every dim, giving shape ()).
NDArray sum(const NDArray& x, const std::vector<int64_t>& dims, bool keepdim = false);
NDArray mean(const NDArray& x, const std::vector<int64_t>& dims, bool keepdim = false);

// Maximum along one dim and where it is (the first index on ties).
struct MaxResult {
  NDArray values;
  IndexArray indices;
};
MaxResult max(const NDArray& x, int64_t dim, bool keepdim = false);
IndexArray argmax(const NDArray& x, int64_t dim, bool keepdim = false);

// Sums a broadcast result back to `shape` (the gradient rule of broadcasting):
// leading extra dims are summed away, dims where `shape` has 1 are summed with keepdim.
NDArray sum_to(const NDArray& x, const Shape& shape);

}  // namespace ember::core
