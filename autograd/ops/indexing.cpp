#include "ember/autograd/ops/indexing.h"

#include "ember/autograd/gradients_internal.h"
#include "ember/autograd/node.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/core/reduce.h"
#include "ember/core/strided.h"

namespace ember {

Tensor index_select(const Tensor& x, int64_t dim, const IndexArray& index) {
  return make_result(core::index_select(x.data(), dim, index), "index_select", {x},
                     [in = x.shape(), dim, index](const NDArray& dy, Gradients& g) {
                       g.set(0, core::index_add(in, dim, index, dy));
                     });
}

Tensor gather(const Tensor& x, int64_t dim, const IndexArray& index) {
  return make_result(core::gather(x.data(), dim, index), "gather", {x},
                     [in = x.shape(), dim, index](const NDArray& dy, Gradients& g) {
                       g.set(0, core::scatter_add(NDArray::zeros(in), dim, index, dy));
                     });
}

Tensor scatter_add(const Tensor& base, int64_t dim, const IndexArray& index, const Tensor& src) {
  return make_result(core::scatter_add(base.data(), dim, index, src.data()), "scatter_add",
                     {base, src}, [dim, index](const NDArray& dy, Gradients& g) {
                       if (g.wants(0)) g.set(0, dy.contiguous());
                       if (g.wants(1)) g.set(1, core::gather(dy, dim, index));
                     });
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, float value) {
  return make_result(core::masked_fill(x.data(), mask.data(), value), "masked_fill", {x},
                     [md = mask.data()](const NDArray& dy, Gradients& g) {
                       g.set(0, core::masked_fill(dy, md, 0.0f));
                     });
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  return make_result(core::where(cond.data(), a.data(), b.data()), "where", {a, b},
                     [cd = cond.data(), sa = a.shape(), sb = b.shape()](const NDArray& dy,
                                                                       Gradients& g) {
                       const NDArray zero = NDArray::scalar(0.0f);
                       if (g.wants(0)) g.set(0, core::sum_to(core::where(cd, dy, zero), sa));
                       if (g.wants(1)) g.set(1, core::sum_to(core::where(cd, zero, dy), sb));
                     });
}

Tensor embedding(const Tensor& weight, const IndexArray& ids, int64_t padding_idx) {
  EMBER_CHECK(weight.dim() == 2, "[embedding] weight must be (V, E), got {}",
              core::shape_str(weight.shape()));
  const int64_t vocab = weight.size(0), width = weight.size(1);
  EMBER_CHECK(padding_idx < vocab,
              "[embedding] padding_idx {} out of range for a vocabulary of {} (weight {})",
              padding_idx, vocab, core::shape_str(weight.shape()));
  for (int64_t i = 0; i < ids.numel(); ++i)
    EMBER_CHECK(ids[i] >= 0 && ids[i] < vocab,
                "[embedding] token id {} out of range for a vocabulary of {} (weight {})", ids[i],
                vocab, core::shape_str(weight.shape()));
  const IndexArray flat = ids.reshape({ids.numel()});
  Shape out_shape = ids.shape();
  out_shape.push_back(width);
  NDArray y = core::index_select(weight.data(), 0, flat).view(out_shape);
  return make_result(y, "embedding", {weight},
                     [flat, padding_idx, width](const NDArray& dy, Gradients& g) {
                       // The padding row gets nothing from this op (index_add_ skips it).
                       GradientsInternal::add_rows(g, 0, flat, dy.reshape({-1, width}),
                                                   padding_idx);
                     });
}

}  // namespace ember
