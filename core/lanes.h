// Lanes: the 1-D slices of an array along one dimension (the rows a softmax, a max or a cumulative
// op works on). for_each_lane visits every lane of K arrays of one shape, in parallel when large.
#pragma once

#include <array>

#include "ember/core/ndarray.h"
#include "ember/core/threads.h"

namespace ember::core {

// Calls lane(index, n, ptrs, strides) for every lane along `dim`: lane element j of array k is
// ptrs[k][j * strides[k]]; `index` numbers the lanes in row-major order of the other dims.
template <size_t K, class Lane>
void for_each_lane(const Shape& shape, int64_t dim, const std::array<const NDArray*, K>& arrays,
                   Lane&& lane) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t n = rank == 0 ? 1 : shape[dim];
  const int64_t lanes = n == 0 ? 0 : numel_of(shape) / n;
  std::array<int64_t, K> lane_strides;
  for (size_t k = 0; k < K; ++k) lane_strides[k] = rank == 0 ? 0 : arrays[k]->strides()[dim];
  parallel_for(lanes, lanes > 1 && lanes * n >= kParallelElements, [&](int64_t l) {
    std::array<float*, K> p;
    for (size_t k = 0; k < K; ++k) p[k] = arrays[k]->data();
    int64_t rem = l;
    for (int64_t d = rank - 1; d >= 0; --d) {  // unravel l over every dim but `dim`
      if (d == dim) continue;
      const int64_t i = rem % shape[d];
      rem /= shape[d];
      for (size_t k = 0; k < K; ++k) p[k] += i * arrays[k]->strides()[d];
    }
    lane(l, n, p, lane_strides);
  });
}

}  // namespace ember::core
