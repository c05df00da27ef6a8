#include "ember/core/reduce.h"

#include <algorithm>

#include "ember/core/error.h"
#include "ember/core/threads.h"
#include "ember/core/lanes.h"
#include "ember/core/strided.h"

namespace ember::core {
namespace {

std::vector<bool> reduced_mask(const NDArray& x, const std::vector<int64_t>& dims, const char* op) {
  std::vector<bool> mask(static_cast<size_t>(x.dim()), dims.empty());
  for (int64_t d : dims) {
    const int64_t nd = normalize_dim(d, x.dim(), op);
    EMBER_CHECK(!mask[nd], "[{}] dim {} listed twice for shape {}", op, d, shape_str(x.shape()));
    mask[nd] = true;
  }
  return mask;
}

Shape reduced_shape(const Shape& shape, const std::vector<bool>& mask, bool keepdim) {
  Shape out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!mask[i]) out.push_back(shape[i]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

// Reduces the trailing block of a contiguous array: out[i] = sum of x[i*block .. (i+1)*block).
void sum_trailing(const float* x, float* out, int64_t outer, int64_t block) {
  parallel_for(outer, outer > 1 && outer * block >= kParallelElements, [&](int64_t i) {
    double acc = 0.0;
    const float* row = x + i * block;
    for (int64_t j = 0; j < block; ++j) acc += row[j];
    out[i] = static_cast<float>(acc);
  });
}

// Accumulates every element of x into `acc` (x's shape, stride 0 on the reduced dims). Serial,
// since many rows of x land on the same outputs.
void sum_strided(const NDArray& x, const NDArray& acc) {
  const auto lay = detail::coalesce<2>(x.shape(), {&acc.strides(), &x.strides()});
  const int64_t inner = lay.shape.back(), rows = x.numel() / std::max<int64_t>(inner, 1);
  const int64_t so = lay.strides[0].back(), sx = lay.strides[1].back();
  for (int64_t r = 0; r < rows; ++r) {
    float* po = acc.data();
    const float* px = x.data();
    int64_t rem = r;
    for (int64_t d = static_cast<int64_t>(lay.shape.size()) - 2; d >= 0; --d) {
      const int64_t i = rem % lay.shape[d];
      rem /= lay.shape[d];
      po += i * lay.strides[0][d];
      px += i * lay.strides[1][d];
    }
    if (so == 0) {
      double s = 0.0;
      for (int64_t i = 0; i < inner; ++i) s += px[i * sx];
      *po += static_cast<float>(s);
    } else {
      for (int64_t i = 0; i < inner; ++i) po[i * so] += px[i * sx];
    }
  }
}

}  // namespace

NDArray sum(const NDArray& x, const std::vector<int64_t>& dims, bool keepdim) {
  const std::vector<bool> mask = reduced_mask(x, dims, "sum");
  NDArray out = NDArray::zeros(reduced_shape(x.shape(), mask, true));
  size_t first_reduced = mask.size();  // reduced dims are [first_reduced, rank) if trailing
  while (first_reduced > 0 && mask[first_reduced - 1]) --first_reduced;
  const bool trailing =
      std::none_of(mask.begin(), mask.begin() + first_reduced, [](bool b) { return b; });
  if (x.numel() == 0) return keepdim ? out : out.view(reduced_shape(x.shape(), mask, false));
  if (x.is_contiguous() && trailing) {
    const int64_t outer = numel_of(Shape(x.shape().begin(), x.shape().begin() + first_reduced));
    sum_trailing(x.data(), out.data(), outer, x.numel() / outer);
  } else {
    sum_strided(x, out.expand(x.shape()));
  }
  return keepdim ? out : out.view(reduced_shape(x.shape(), mask, false));
}

NDArray mean(const NDArray& x, const std::vector<int64_t>& dims, bool keepdim) {
  NDArray s = sum(x, dims, keepdim);
  const int64_t count = s.numel() == 0 ? 0 : x.numel() / s.numel();
  s.mul_(count == 0 ? 0.0f : 1.0f / static_cast<float>(count));
  return s;
}

MaxResult max(const NDArray& x, int64_t dim, bool keepdim) {
  dim = normalize_dim(dim, x.dim(), "max");
  EMBER_CHECK(x.size(dim) > 0, "[max] cannot reduce an empty dim {} of shape {}", dim,
              shape_str(x.shape()));
  Shape kept = x.shape();
  kept[dim] = 1;
  MaxResult r{NDArray::empty(kept), IndexArray(std::vector<int64_t>(numel_of(kept)), kept)};
  float* values = r.values.data();
  int64_t* indices = r.indices.data();
  for_each_lane<1>(x.shape(), dim, {&x}, [&](int64_t l, int64_t n, auto p, auto s) {
    int64_t best = 0;
    for (int64_t j = 1; j < n; ++j)
      if (p[0][j * s[0]] > p[0][best * s[0]]) best = j;
    values[l] = p[0][best * s[0]];
    indices[l] = best;
  });
  if (!keepdim) {
    kept.erase(kept.begin() + dim);
    r.values = r.values.view(kept);
    r.indices = r.indices.reshape(kept);
  }
  return r;
}

IndexArray argmax(const NDArray& x, int64_t dim, bool keepdim) {
  return max(x, dim, keepdim).indices;
}

NDArray sum_to(const NDArray& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  EMBER_CHECK(x.dim() >= static_cast<int64_t>(shape.size()), "[sum_to] cannot reduce {} to {}",
              shape_str(x.shape()), shape_str(shape));
  const size_t lead = x.shape().size() - shape.size();
  std::vector<int64_t> dims;
  for (size_t i = 0; i < x.shape().size(); ++i) {
    if (i < lead) dims.push_back(static_cast<int64_t>(i));
    else if (shape[i - lead] == 1 && x.shape()[i] != 1) dims.push_back(static_cast<int64_t>(i));
    else EMBER_CHECK(shape[i - lead] == x.shape()[i], "[sum_to] cannot reduce {} to {}",
                     shape_str(x.shape()), shape_str(shape));
  }
  return sum(x, dims, true).reshape(shape);
}

}  // namespace ember::core
