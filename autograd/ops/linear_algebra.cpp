#include "ember/autograd/ops/linear_algebra.h"

#include "ember/autograd/gradients_internal.h"
#include "ember/autograd/node.h"
#include "ember/core/error.h"
#include "ember/core/gemm_packed.h"
#include "ember/core/matmul.h"
#include "ember/core/reduce.h"
#include "ember/core/weight_pack.h"

namespace ember {
namespace {

// x viewed as rows of its last dim: (N..., C) -> (N, C).
NDArray rows_of(const NDArray& x) { return x.reshape({-1, x.size(-1)}); }

// x (N..., I) @ B with B (I, O) packed (W^T in forward, W in backward) -> (N..., O).
NDArray packed_product(const NDArray& x, const core::PackedMatrix& w) {
  NDArray rows = rows_of(x);
  if (rows.strides()[1] != 1) rows = rows.contiguous();
  Shape shape = x.shape();
  shape.back() = w.n();
  const NDArray y = NDArray::empty(shape);
  core::gemm_packed(false, rows.size(0), 1.0f, rows.data(), rows.strides()[0], w, 0.0f, y.data(),
                    w.n());
  return y;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  return make_result(
      core::matmul(a.data(), b.data()), "matmul", {a, b},
      [ad = a.data(), bd = b.data()](const NDArray& dy, Gradients& g) {
        // Promote 1-D operands as the forward did, so every product below is a batched matrix one.
        const NDArray a2 = ad.dim() == 1 ? ad.unsqueeze(0) : ad;
        const NDArray b2 = bd.dim() == 1 ? bd.unsqueeze(1) : bd;
        NDArray dy2 = ad.dim() == 1 ? dy.unsqueeze(-2) : dy;
        if (bd.dim() == 1) dy2 = dy2.unsqueeze(-1);
        if (g.wants(0)) {
          const NDArray da = core::matmul(dy2, b2.transpose(-1, -2));
          g.set(0, core::sum_to(da, a2.shape()).reshape(ad.shape()));
        }
        if (g.wants(1)) {
          NDArray db;
          if (b2.dim() == 2 && a2.dim() > 2)  // shared weight: fold the batch into one product
            db = core::matmul(rows_of(a2).transpose(0, 1), rows_of(dy2));
          else
            db = core::sum_to(core::matmul(a2.transpose(-1, -2), dy2), b2.shape());
          g.set(1, db.reshape(bd.shape()));
        }
      });
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b,
              const std::shared_ptr<core::WeightPack>& w_pack) {
  EMBER_CHECK(x.dim() >= 1 && w.dim() == 2 && x.size(-1) == w.size(1),
              "[linear] input {} does not match weight {} (expected (..., {}))",
              core::shape_str(x.shape()), core::shape_str(w.shape()),
              w.dim() == 2 ? w.size(1) : -1);
  EMBER_CHECK(!b.defined() || b.shape() == Shape{w.size(0)},
              "[linear] bias {} does not match weight {}", core::shape_str(b.shape()),
              core::shape_str(w.shape()));
  const auto w_t = w_pack ? w_pack->get(w.data()) : nullptr;  // null: not packed (weight_pack.h)
  NDArray y =
      w_t ? packed_product(x.data(), *w_t) : core::matmul(x.data(), w.data().transpose(0, 1));
  if (b.defined()) y.add_(b.data());
  std::vector<Tensor> inputs{x, w};
  if (b.defined()) inputs.push_back(b);
  return make_result(y, "linear", inputs,
                     [xd = x.data(), wd = w.data(), has_bias = b.defined(), w_pack](
                         const NDArray& dy, Gradients& g) {
                       if (g.wants(0)) {
                         const auto w_packed =
                             w_pack ? w_pack->get_untransposed(wd) : nullptr;  // bf16 only
                         g.set(0, w_packed ? packed_product(dy, *w_packed) : core::matmul(dy, wd));
                       }
                       const NDArray dy_rows = rows_of(dy);
                       GradientsInternal::add_product(g, 1, dy_rows.transpose(0, 1), rows_of(xd));
                       if (has_bias && g.wants(2)) g.set(2, core::sum(dy_rows, {0}));
                     });
}

}  // namespace ember
