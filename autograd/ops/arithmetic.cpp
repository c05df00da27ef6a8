#include "ember/autograd/ops/arithmetic.h"

#include <cmath>

#include "ember/autograd/node.h"
#include "ember/core/elementwise.h"
#include "ember/core/reduce.h"
#include "ember/core/strided.h"

namespace ember {

using core::sum_to;

Tensor add(const Tensor& a, const Tensor& b) {
  return make_result(core::add(a.data(), b.data()), "add", {a, b},
                     [sa = a.shape(), sb = b.shape()](const NDArray& dy, Gradients& g) {
                       if (g.wants(0)) g.set(0, sum_to(dy, sa));
                       if (g.wants(1)) g.set(1, sum_to(dy, sb));
                     });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  return make_result(core::sub(a.data(), b.data()), "sub", {a, b},
                     [sa = a.shape(), sb = b.shape()](const NDArray& dy, Gradients& g) {
                       if (g.wants(0)) g.set(0, sum_to(dy, sa));
                       if (g.wants(1)) g.set(1, sum_to(core::neg(dy), sb));
                     });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  return make_result(core::mul(a.data(), b.data()), "mul", {a, b},
                     [ad = a.data(), bd = b.data()](const NDArray& dy, Gradients& g) {
                       if (g.wants(0)) g.set(0, sum_to(core::mul(dy, bd), ad.shape()));
                       if (g.wants(1)) g.set(1, sum_to(core::mul(dy, ad), bd.shape()));
                     });
}

Tensor div(const Tensor& a, const Tensor& b) {
  return make_result(
      core::div(a.data(), b.data()), "div", {a, b},
      [ad = a.data(), bd = b.data()](const NDArray& dy, Gradients& g) {
        if (g.wants(0)) g.set(0, sum_to(core::div(dy, bd), ad.shape()));
        if (g.wants(1)) {
          const NDArray q = core::zip3(dy, ad, bd, "div", [](float d, float x, float y) {
            return -d * x / (y * y);
          });
          g.set(1, sum_to(q, bd.shape()));
        }
      });
}

Tensor add(const Tensor& a, float s) {
  return make_result(core::add_scalar(a.data(), s), "add", {a},
                     [](const NDArray& dy, Gradients& g) { g.set(0, dy); });
}

Tensor mul(const Tensor& a, float s) {
  return make_result(core::mul_scalar(a.data(), s), "mul", {a},
                     [s](const NDArray& dy, Gradients& g) { g.set(0, core::mul_scalar(dy, s)); });
}

Tensor neg(const Tensor& x) {
  return make_result(core::neg(x.data()), "neg", {x},
                     [](const NDArray& dy, Gradients& g) { g.set(0, core::neg(dy)); });
}

Tensor pow(const Tensor& x, float e) {
  return make_result(core::pow_scalar(x.data(), e), "pow", {x},
                     [xd = x.data(), e](const NDArray& dy, Gradients& g) {
                       g.set(0, core::zip(dy, xd, "pow", [e](float d, float v) {
                               return d * e * std::pow(v, e - 1.0f);
                             }));
                     });
}

}  // namespace ember
