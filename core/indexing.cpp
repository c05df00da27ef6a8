#include "ember/core/indexing.h"

#include "ember/core/error.h"
#include "ember/core/strided.h"

namespace ember::core {
namespace {

void check_index(int64_t value, int64_t size, const char* op, const Shape& shape) {
  EMBER_CHECK(value >= 0 && value < size, "[{}] index {} out of range [0, {}) for shape {}", op,
              value, size, shape_str(shape));
}

// Element offset in `x` of the multi-index `pos` with pos[dim] replaced by `at`.
int64_t offset_with(const NDArray& x, const Shape& pos, int64_t dim, int64_t at) {
  int64_t off = 0;
  for (size_t d = 0; d < pos.size(); ++d)
    off += (static_cast<int64_t>(d) == dim ? at : pos[d]) * x.strides()[d];
  return off;
}

// Checks gather/scatter_add's index against x and returns the normalised dim.
int64_t check_gather_index(const NDArray& x, int64_t dim, const IndexArray& index, const char* op) {
  dim = normalize_dim(dim, x.dim(), op);
  EMBER_CHECK(index.dim() == x.dim(), "[{}] index of shape {} needs the rank of x {}", op,
              shape_str(index.shape()), shape_str(x.shape()));
  for (int64_t d = 0; d < x.dim(); ++d)
    EMBER_CHECK(d == dim || index.size(d) <= x.size(d),
                "[{}] index of shape {} larger than x {} in dim {}", op,
                shape_str(index.shape()), shape_str(x.shape()), d);
  for (int64_t i = 0; i < index.numel(); ++i) check_index(index[i], x.size(dim), op, x.shape());
  return dim;
}

// Calls f(i, pos) for every element i (row-major) of an index array of this shape.
template <class F>
void for_each_position(const Shape& shape, F f) {
  Shape pos(shape.size(), 0);
  const int64_t n = numel_of(shape);
  for (int64_t i = 0; i < n; ++i) {
    f(i, pos);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++pos[d] < shape[d]) break;
      pos[d] = 0;
    }
  }
}

}  // namespace

NDArray concat(const std::vector<NDArray>& xs, int64_t dim) {
  EMBER_CHECK(!xs.empty(), "[concat] needs at least one array");
  dim = normalize_dim(dim, xs[0].dim(), "concat");
  Shape shape = xs[0].shape();
  shape[dim] = 0;
  for (const NDArray& x : xs) {
    bool same = x.dim() == xs[0].dim();
    for (int64_t d = 0; same && d < x.dim(); ++d) same = d == dim || x.size(d) == xs[0].size(d);
    EMBER_CHECK(same, "[concat] shapes {} and {} differ outside dim {}", shape_str(xs[0].shape()),
                shape_str(x.shape()), dim);
    shape[dim] = checked_add(shape[dim], x.size(dim), "concat");  // stride-0 views can be huge
  }
  NDArray out = NDArray::empty(shape);
  int64_t at = 0;
  for (const NDArray& x : xs) {
    out.narrow(dim, at, x.size(dim)).copy_(x);
    at += x.size(dim);
  }
  return out;
}

NDArray stack(const std::vector<NDArray>& xs, int64_t dim) {
  EMBER_CHECK(!xs.empty(), "[stack] needs at least one array");
  dim = normalize_dim(dim, xs[0].dim() + 1, "stack");
  std::vector<NDArray> expanded;
  for (const NDArray& x : xs) {
    EMBER_CHECK(x.shape() == xs[0].shape(), "[stack] shapes differ: {} and {}",
                shape_str(xs[0].shape()), shape_str(x.shape()));
    expanded.push_back(x.unsqueeze(dim));
  }
  return concat(expanded, dim);
}

std::vector<NDArray> split(const NDArray& x, const std::vector<int64_t>& sizes, int64_t dim) {
  dim = normalize_dim(dim, x.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "[split] negative size {} in sizes ({}) for dim {} of {}", s,
                fmt::join(sizes, ", "), dim, shape_str(x.shape()));
    total = checked_add(total, s, "split");
  }
  EMBER_CHECK(total == x.size(dim), "[split] sizes add up to {} but dim {} of {} has {}", total,
              dim, shape_str(x.shape()), x.size(dim));
  std::vector<NDArray> parts;
  int64_t at = 0;
  for (int64_t s : sizes) {
    parts.push_back(x.narrow(dim, at, s));
    at += s;
  }
  return parts;
}

NDArray index_select(const NDArray& x, int64_t dim, const IndexArray& index) {
  dim = normalize_dim(dim, x.dim(), "index_select");
  EMBER_CHECK(index.dim() == 1, "[index_select] index must be 1-D, got {}", shape_str(index.shape()));
  Shape shape = x.shape();
  shape[dim] = index.numel();
  NDArray out = NDArray::empty(shape);
  for (int64_t i = 0; i < index.numel(); ++i) {
    check_index(index[i], x.size(dim), "index_select", x.shape());
    out.select(dim, i).copy_(x.select(dim, index[i]));
  }
  return out;
}

NDArray index_add(const Shape& shape, int64_t dim, const IndexArray& index, const NDArray& src) {
  NDArray out = NDArray::zeros(shape);
  index_add_(out, dim, index, src);
  return out;
}

void index_add_(const NDArray& out, int64_t dim, const IndexArray& index, const NDArray& src,
                int64_t skip) {
  const Shape& shape = out.shape();
  dim = normalize_dim(dim, static_cast<int64_t>(shape.size()), "index_add");
  EMBER_CHECK(index.dim() == 1 && src.dim() == static_cast<int64_t>(shape.size()) &&
                  src.size(dim) == index.numel(),
              "[index_add] index {} and source {} do not fit shape {}", shape_str(index.shape()),
              shape_str(src.shape()), shape_str(shape));
  for (int64_t i = 0; i < index.numel(); ++i) {
    check_index(index[i], shape[dim], "index_add", shape);
    if (index[i] != skip) out.select(dim, index[i]).add_(src.select(dim, i));
  }
}

NDArray gather(const NDArray& x, int64_t dim, const IndexArray& index) {
  dim = check_gather_index(x, dim, index, "gather");
  NDArray out = NDArray::empty(index.shape());
  float* po = out.data();
  const float* px = x.data();
  for_each_position(index.shape(), [&](int64_t i, const Shape& pos) {
    po[i] = px[offset_with(x, pos, dim, index[i])];
  });
  return out;
}

NDArray scatter_add(const NDArray& base, int64_t dim, const IndexArray& index, const NDArray& src) {
  dim = check_gather_index(base, dim, index, "scatter_add");
  EMBER_CHECK(src.shape() == index.shape(), "[scatter_add] source {} must have the index's shape {}",
              shape_str(src.shape()), shape_str(index.shape()));
  NDArray out = base.clone();
  const NDArray s = src.contiguous();
  for_each_position(index.shape(), [&](int64_t i, const Shape& pos) {
    out.data()[offset_with(out, pos, dim, index[i])] += s.data()[i];
  });
  return out;
}

NDArray masked_fill(const NDArray& x, const NDArray& mask, float value) {
  const Shape shape = broadcast_shapes(x.shape(), mask.shape(), "masked_fill");
  EMBER_CHECK(shape == x.shape(), "[masked_fill] mask {} does not broadcast to x {}",
              shape_str(mask.shape()), shape_str(x.shape()));
  return zip(x, mask, "masked_fill", [value](float v, float m) { return m != 0.0f ? value : v; });
}

NDArray where(const NDArray& cond, const NDArray& a, const NDArray& b) {
  return zip3(cond, a, b, "where", [](float c, float x, float y) { return c != 0.0f ? x : y; });
}

}  // namespace ember::core
