#include "ember/autograd/ops/reduction.h"

#include "ember/autograd/node.h"
#include "ember/core/indexing.h"
#include "ember/core/reduce.h"

namespace ember {
namespace {

// dy of a reduction, with the reduced dims restored as size 1 so it broadcasts back over x.
NDArray unreduce(const NDArray& dy, const Shape& x_shape, std::vector<int64_t> dims, bool keepdim) {
  if (keepdim) return dy;
  const int64_t rank = static_cast<int64_t>(x_shape.size());
  Shape kept = x_shape;
  if (dims.empty())
    for (int64_t d = 0; d < rank; ++d) dims.push_back(d);
  for (int64_t d : dims) kept[core::normalize_dim(d, rank, "sum")] = 1;
  return dy.reshape(kept);
}

}  // namespace

// y = sum_dims x;  dx = dy broadcast back over the summed dims
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return make_result(core::sum(x.data(), dims, keepdim), "sum", {x},
                     [shape = x.shape(), dims, keepdim](const NDArray& dy, Gradients& g) {
                       g.set(0, unreduce(dy, shape, dims, keepdim).expand(shape).contiguous());
                     });
}

// y = sum_dims x / count;  dx = dy / count broadcast back
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  NDArray y = core::mean(x.data(), dims, keepdim);
  const float scale = y.numel() == 0 ? 0.0f : static_cast<float>(y.numel()) / x.numel();
  return make_result(y, "mean", {x},
                     [shape = x.shape(), dims, keepdim, scale](const NDArray& dy, Gradients& g) {
                       NDArray dx = unreduce(dy, shape, dims, keepdim).expand(shape).clone();
                       dx.mul_(scale);
                       g.set(0, dx);
                     });
}

// y = max_dim x;  dx = dy at the argmax, 0 elsewhere
Tensor max(const Tensor& x, int64_t dim, bool keepdim) {
  dim = core::normalize_dim(dim, x.dim(), "max");
  core::MaxResult r = core::max(x.data(), dim, true);
  NDArray values = keepdim ? r.values : r.values.squeeze(dim);
  return make_result(values, "max", {x},
                     [shape = x.shape(), idx = std::move(r.indices), dim](const NDArray& dy,
                                                                         Gradients& g) {
                       g.set(0, core::scatter_add(NDArray::zeros(shape), dim, idx,
                                                  dy.reshape(idx.shape())));
                     });
}

IndexArray argmax(const Tensor& x, int64_t dim, bool keepdim) {
  return core::argmax(x.data(), dim, keepdim);
}

}  // namespace ember
