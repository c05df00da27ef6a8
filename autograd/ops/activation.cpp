#include "ember/autograd/ops/activation.h"

#include <cmath>
#include <numbers>

#include "ember/autograd/node.h"
#include "ember/core/elementwise.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/core/strided.h"

namespace ember {

Tensor relu(const Tensor& x) {
  return make_result(core::relu(x.data()), "relu", {x},
                     [xd = x.data()](const NDArray& dy, Gradients& g) {
                       g.set(0, core::zip(dy, xd, "relu", [](float d, float v) {
                               return v > 0.0f ? d : 0.0f;
                             }));
                     });
}

Tensor gelu(const Tensor& x) {
  return make_result(core::gelu(x.data()), "gelu", {x},
                     [xd = x.data()](const NDArray& dy, Gradients& g) {
                       g.set(0, core::zip(dy, xd, "gelu", [](float d, float v) {
                               constexpr float kInvSqrt2 = std::numbers::sqrt2_v<float> / 2;
                               constexpr float kInvSqrt2Pi = std::numbers::inv_sqrtpi_v<float> * kInvSqrt2;
                               const float cdf = 0.5f * (1.0f + std::erf(v * kInvSqrt2));
                               const float pdf = kInvSqrt2Pi * std::exp(-0.5f * v * v);
                               return d * (cdf + v * pdf);
                             }));
                     });
}

Tensor tanh(const Tensor& x) {
  NDArray y = core::tanh(x.data());
  return make_result(y, "tanh", {x}, [y](const NDArray& dy, Gradients& g) {
    g.set(0, core::zip(dy, y, "tanh", [](float d, float v) { return d * (1.0f - v * v); }));
  });
}

Tensor sigmoid(const Tensor& x) {
  NDArray y = core::sigmoid(x.data());
  return make_result(y, "sigmoid", {x}, [y](const NDArray& dy, Gradients& g) {
    g.set(0, core::zip(dy, y, "sigmoid", [](float d, float v) { return d * v * (1.0f - v); }));
  });
}

Tensor exp(const Tensor& x) {
  NDArray y = core::exp(x.data());
  return make_result(y, "exp", {x},
                     [y](const NDArray& dy, Gradients& g) { g.set(0, core::mul(dy, y)); });
}

Tensor log(const Tensor& x) {
  return make_result(core::log(x.data()), "log", {x}, [xd = x.data()](const NDArray& dy, Gradients& g) {
    g.set(0, core::div(dy, xd));
  });
}

Tensor sqrt(const Tensor& x) {
  NDArray y = core::sqrt(x.data());
  return make_result(y, "sqrt", {x}, [y](const NDArray& dy, Gradients& g) {
    g.set(0, core::zip(dy, y, "sqrt", [](float d, float v) { return d / (2.0f * v); }));
  });
}

Tensor glu(const Tensor& x, int64_t dim) {
  dim = core::normalize_dim(dim, x.dim(), "glu");
  const int64_t n = x.size(dim);
  EMBER_CHECK(n % 2 == 0, "[glu] dim {} of shape {} must have an even size", dim,
              core::shape_str(x.shape()));
  const NDArray a = x.data().narrow(dim, 0, n / 2), b = x.data().narrow(dim, n / 2, n / 2);
  const NDArray sb = core::sigmoid(b);
  return make_result(core::mul(a, sb), "glu", {x}, [a, sb, dim](const NDArray& dy, Gradients& g) {
    const NDArray da = core::mul(dy, sb);
    const NDArray db = core::zip3(dy, a, sb, "glu", [](float d, float av, float s) {
      return d * av * s * (1.0f - s);
    });
    g.set(0, core::concat({da, db}, dim));
  });
}

}  // namespace ember
