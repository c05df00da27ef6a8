#include "ember/autograd/ops/shape.h"

#include "ember/autograd/gradients_internal.h"
#include "ember/autograd/node.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/core/reduce.h"

namespace ember {

Tensor reshape(const Tensor& x, const Shape& shape) {
  return make_result(x.data().reshape(shape), "reshape", {x},
                     [in = x.shape()](const NDArray& dy, Gradients& g) { g.set(0, dy.reshape(in)); });
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& order) {
  NDArray y = x.data().permute(order);
  std::vector<int64_t> inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i)
    inverse[core::normalize_dim(order[i], x.dim(), "permute")] = static_cast<int64_t>(i);
  return make_result(y, "permute", {x}, [inverse](const NDArray& dy, Gradients& g) {
    g.set(0, dy.permute(inverse));
  });
}

Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) {
  return make_result(x.data().transpose(d0, d1), "transpose", {x},
                     [d0, d1](const NDArray& dy, Gradients& g) { g.set(0, dy.transpose(d0, d1)); });
}

// dx: dy added into the narrowed range of the input's gradient (GradientsInternal::add_to_part)
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return make_result(x.data().narrow(dim, start, length), "narrow", {x},
                     [dim, start, length](const NDArray& dy, Gradients& g) {
                       GradientsInternal::add_to_part(
                           g, 0, [&](const NDArray& dx) { return dx.narrow(dim, start, length); },
                           dy);
                     });
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  return make_result(x.data().select(dim, index), "select", {x},
                     [dim, index](const NDArray& dy, Gradients& g) {
                       GradientsInternal::add_to_part(
                           g, 0, [&](const NDArray& dx) { return dx.select(dim, index); }, dy);
                     });
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  return make_result(x.data().unsqueeze(dim), "unsqueeze", {x},
                     [in = x.shape()](const NDArray& dy, Gradients& g) { g.set(0, dy.reshape(in)); });
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  return make_result(x.data().squeeze(dim), "squeeze", {x},
                     [in = x.shape()](const NDArray& dy, Gradients& g) { g.set(0, dy.reshape(in)); });
}

// dx = dy summed over the expanded dims
Tensor expand(const Tensor& x, const Shape& shape) {
  return make_result(x.data().expand(shape), "expand", {x},
                     [in = x.shape()](const NDArray& dy, Gradients& g) {
                       g.set(0, core::sum_to(dy, in));
                     });
}

Tensor contiguous(const Tensor& x) {
  if (x.data().is_contiguous()) return x;
  return make_result(x.data().contiguous(), "contiguous", {x},
                     [](const NDArray& dy, Gradients& g) { g.set(0, dy); });
}

// dx_i = the slice of dy that x_i filled
Tensor cat(const std::vector<Tensor>& xs, int64_t dim) {
  std::vector<NDArray> arrays;
  std::vector<int64_t> sizes;
  for (const Tensor& t : xs) arrays.push_back(t.data());
  NDArray y = core::concat(arrays, dim);
  dim = core::normalize_dim(dim, y.dim(), "cat");
  for (const Tensor& t : xs) sizes.push_back(t.size(dim));
  return make_result(y, "cat", xs, [sizes, dim](const NDArray& dy, Gradients& g) {
    int64_t at = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (g.wants(i)) g.set(i, dy.narrow(dim, at, sizes[i]).contiguous());
      at += sizes[i];
    }
  });
}

Tensor stack(const std::vector<Tensor>& xs, int64_t dim) {
  EMBER_CHECK(!xs.empty(), "[stack] needs at least one tensor");
  dim = core::normalize_dim(dim, xs[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (const Tensor& t : xs) {
    EMBER_CHECK(t.shape() == xs[0].shape(), "[stack] shapes differ: {} and {}",
                core::shape_str(xs[0].shape()), core::shape_str(t.shape()));
    expanded.push_back(unsqueeze(t, dim));
  }
  return cat(expanded, dim);
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
  core::split(x.data(), sizes, dim);  // checks the sizes
  std::vector<Tensor> parts;
  int64_t at = 0;
  for (int64_t s : sizes) {
    parts.push_back(narrow(x, dim, at, s));
    at += s;
  }
  return parts;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  const int64_t n = x.size(dim);
  EMBER_CHECK(chunks > 0 && n % chunks == 0, "[chunk] dim {} of shape {} does not split into {}",
              dim, core::shape_str(x.shape()), chunks);
  return split(x, std::vector<int64_t>(static_cast<size_t>(chunks), n / chunks), dim);
}

}  // namespace ember
