#include "ember/autograd/ops/nn.h"

#include "ember/autograd/node.h"
#include "ember/core/elementwise.h"
#include "ember/core/error.h"
#include "ember/core/layer_norm.h"
#include "ember/core/softmax.h"

namespace ember {

Tensor softmax(const Tensor& x, int64_t dim) {
  NDArray y = core::softmax(x.data(), dim);
  return make_result(y, "softmax", {x}, [y, dim](const NDArray& dy, Gradients& g) {
    g.set(0, core::softmax_backward(y, dy, dim));
  });
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  NDArray y = core::log_softmax(x.data(), dim);
  return make_result(y, "log_softmax", {x}, [y, dim](const NDArray& dy, Gradients& g) {
    g.set(0, core::log_softmax_backward(y, dy, dim));
  });
}

Tensor masked_softmax(const Tensor& x, const NDArray& mask, float scale) {
  NDArray y = x.data().clone();
  core::masked_softmax_(y, mask, scale);
  return make_result(y, "masked_softmax", {x}, [y, scale](const NDArray& dy, Gradients& g) {
    g.set(0, core::softmax_backward(y, dy, -1, scale));
  });
}

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
  core::LayerNormResult r = core::layer_norm(x.data(), weight.data(), bias.data(), eps);
  return make_result(r.y, "layer_norm", {x, weight, bias},
                     [xd = x.data(), wd = weight.data(), mean = r.mean, rstd = r.rstd](
                         const NDArray& dy, Gradients& g) {
                       core::LayerNormGrads lg = core::layer_norm_backward(dy, xd, wd, mean, rstd);
                       g.set(0, lg.dx);
                       g.set(1, lg.dweight);
                       g.set(2, lg.dbias);
                     });
}

Tensor dropout(const Tensor& x, float p, bool training, core::Generator& generator) {
  EMBER_CHECK(p >= 0.0f && p < 1.0f, "[dropout] probability {} outside [0, 1)", p);
  if (!training || p == 0.0f) return x;
  // The generator is counter-based (core/random.h): backward draws the same mask again from the
  // state it had here, so no mask is kept between forward and backward.
  const uint64_t seed = generator.seed(), counter = generator.counter();
  return make_result(generator.dropout(x.data(), p), "dropout", {x},
                     [=](const NDArray& dy, Gradients& g) {
                       core::Generator replay;
                       replay.set_state(seed, counter);
                       g.set(0, replay.dropout(dy, p));
                     });
}

}  // namespace ember
