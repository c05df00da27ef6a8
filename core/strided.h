// The loops every elementwise kernel runs on: walk K arrays of one shape (any strides, so views
// and broadcast views work without copies) row by row, where a row is the innermost dimension
// after merging dimensions that are contiguous in every array. map/zip/zip3 build on it.
// Above kParallelElements the rows are shared among the OpenMP threads (see core/threads.h).
#pragma once

#include <array>
#include <cstdint>

#include "ember/core/ndarray.h"
#include "ember/core/threads.h"

namespace ember::core {

namespace detail {

// Shape and per-array strides after merging dims that are laid out back to back in all arrays.
template <size_t K>
struct Layout {
  Shape shape;
  std::array<Shape, K> strides;
};

template <size_t K>
Layout<K> coalesce(const Shape& shape, const std::array<const Shape*, K>& strides) {
  Layout<K> out;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // a size-1 dim adds nothing to any offset
    bool merge = !out.shape.empty();
    for (size_t k = 0; k < K && merge; ++k)
      merge = out.strides[k].back() == (*strides[k])[d] * shape[d];
    if (merge) {
      out.shape.back() *= shape[d];
      for (size_t k = 0; k < K; ++k) out.strides[k].back() = (*strides[k])[d];
    } else {
      out.shape.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k) out.strides[k].push_back((*strides[k])[d]);
    }
  }
  if (out.shape.empty()) {  // a scalar or all-ones shape: one row of one element
    out.shape.push_back(1);
    for (size_t k = 0; k < K; ++k) out.strides[k].push_back(0);
  }
  return out;
}

}  // namespace detail

// Calls row(n, ptrs, inner_strides) for every innermost row of `arrays` (all of shape `shape`):
// the row's elements are ptrs[k][i * inner_strides[k]] for i < n. Rows may run in parallel, and
// a single long row (contiguous arrays coalesce into one) in pieces, so `row` must treat its
// elements independently (every caller is elementwise).
template <size_t K, class Row>
void for_each_row(const Shape& shape, const std::array<const NDArray*, K>& arrays, Row&& row) {
  std::array<const Shape*, K> strides;
  for (size_t k = 0; k < K; ++k) strides[k] = &arrays[k]->strides();
  const detail::Layout<K> lay = detail::coalesce<K>(shape, strides);
  const int64_t rank = static_cast<int64_t>(lay.shape.size());
  const int64_t inner = lay.shape.back();
  const int64_t rows = numel_of(shape) / (inner == 0 ? 1 : inner);
  if (numel_of(shape) == 0) return;
  std::array<int64_t, K> inner_strides;
  for (size_t k = 0; k < K; ++k) inner_strides[k] = lay.strides[k].back();
  if (rows == 1 && inner >= kParallelElements) {  // one long row: pieces of it over the threads
    parallel_chunks(inner, [&](int64_t begin, int64_t end) {
      std::array<float*, K> p;
      for (size_t k = 0; k < K; ++k) p[k] = arrays[k]->data() + begin * inner_strides[k];
      row(end - begin, p, inner_strides);
    });
    return;
  }
  const bool parallel = rows > 1 && rows * inner >= kParallelElements;
  parallel_for(rows, parallel, [&](int64_t r) {
    std::array<float*, K> p;
    for (size_t k = 0; k < K; ++k) p[k] = arrays[k]->data();
    int64_t rem = r;
    for (int64_t d = rank - 2; d >= 0; --d) {  // unravel the row index over the outer dims
      const int64_t i = rem % lay.shape[d];
      rem /= lay.shape[d];
      for (size_t k = 0; k < K; ++k) p[k] += i * lay.strides[k][d];
    }
    row(inner, p, inner_strides);
  });
}

// out[i] = f(a[i]); out is a new contiguous array.
template <class F>
NDArray map(const NDArray& a, F f) {
  NDArray out = NDArray::empty(a.shape());
  if (a.is_contiguous()) {
    const float* x = a.data();
    float* y = out.data();
    const int64_t n = a.numel();
    parallel_for(n, n >= kParallelElements, [&](int64_t i) { y[i] = f(x[i]); });
    return out;
  }
  for_each_row<2>(a.shape(), {&out, &a}, [&](int64_t n, auto p, auto s) {
    for (int64_t i = 0; i < n; ++i) p[0][i * s[0]] = f(p[1][i * s[1]]);
  });
  return out;
}

// out[i] = f(a[i], b[i]) with a and b broadcast to their common shape.
template <class F>
NDArray zip(const NDArray& a, const NDArray& b, const char* op, F f) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  NDArray out = NDArray::empty(shape);
  if (a.is_contiguous() && b.is_contiguous() && a.shape() == shape && b.shape() == shape) {
    const float* x = a.data();
    const float* y = b.data();
    float* z = out.data();
    const int64_t n = out.numel();
    parallel_for(n, n >= kParallelElements, [&](int64_t i) { z[i] = f(x[i], y[i]); });
    return out;
  }
  const NDArray ea = a.expand(shape), eb = b.expand(shape);
  for_each_row<3>(shape, {&out, &ea, &eb}, [&](int64_t n, auto p, auto s) {
    if (s[0] == 1 && s[1] == 1 && s[2] == 1) {
      for (int64_t i = 0; i < n; ++i) p[0][i] = f(p[1][i], p[2][i]);
    } else {
      for (int64_t i = 0; i < n; ++i) p[0][i * s[0]] = f(p[1][i * s[1]], p[2][i * s[2]]);
    }
  });
  return out;
}

// out[i] = f(a[i], b[i], c[i]) with all three broadcast to their common shape.
template <class F>
NDArray zip3(const NDArray& a, const NDArray& b, const NDArray& c, const char* op, F f) {
  const Shape shape = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), op), c.shape(), op);
  NDArray out = NDArray::empty(shape);
  const NDArray ea = a.expand(shape), eb = b.expand(shape), ec = c.expand(shape);
  for_each_row<4>(shape, {&out, &ea, &eb, &ec}, [&](int64_t n, auto p, auto s) {
    for (int64_t i = 0; i < n; ++i)
      p[0][i * s[0]] = f(p[1][i * s[1]], p[2][i * s[2]], p[3][i * s[3]]);
  });
  return out;
}

}  // namespace ember::core
