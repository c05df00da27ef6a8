// Defining a new differentiable op in your own code, without editing ember: the softplus
// function, with its forward and backward side by side, checked by ember's gradient checker.
//   softplus(x) = log(1 + exp(x))       d softplus / dx = sigmoid(x)
#include <spdlog/spdlog.h>

#include <cmath>

#include "ember/ember.h"

using namespace ember;

Tensor softplus(const Tensor& x) {
  // Stable form: log(1 + e^x) = max(x, 0) + log(1 + e^-|x|).
  NDArray y = core::map(x.data(), [](float v) {
    return std::max(v, 0.0f) + std::log1p(std::exp(-std::abs(v)));
  });
  return make_result(y, "softplus", {x}, [xd = x.data()](const NDArray& dy, Gradients& g) {
    g.set(0, core::zip(dy, xd, "softplus", [](float d, float v) {
            return d / (1.0f + std::exp(-v));  // dy * sigmoid(x)
          }));
  });
}

int main() try {
  core::manual_seed(0);
  Tensor x = Tensor::randn({3, 4}, true);
  const GradcheckResult check = gradcheck([](const auto& in) { return softplus(in[0]); }, {x});
  spdlog::info("gradcheck of softplus: {} (worst: {})", check.ok ? "ok" : "FAILED", check.message);

  // Used like any built-in op, mixed with them in one graph:
  Tensor w = Tensor::randn({4, 2}, true);
  const Tensor loss = softplus(matmul(x, w)).mean();
  loss.backward();
  spdlog::info("loss {:.4f}, dL/dw[0][0] = {:.4f}", loss.item(), w.grad().at({0, 0}));
  return check.ok ? 0 : 1;
} catch (const ember::Error& e) {
  spdlog::error("{}", e.what());
  return 1;
}
