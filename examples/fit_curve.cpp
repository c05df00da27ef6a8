// The smallest real training program: a two-layer network learns y = sin(3x) from noisy samples.
// Shows tensors, autograd, a hand-written SGD step and the loss falling.
//   ./build/examples/fit_curve [steps]
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>

#include "ember/core/elementwise.h"
#include "ember/core/reduce.h"
#include "ember/core/strided.h"
#include "ember/ember.h"

using namespace ember;

int main(int argc, char** argv) try {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 2000;
  core::manual_seed(0);

  // Data: x uniform in [-1, 1), y = sin(3x) + N(0, 0.1^2).      x, y: (N, 1)
  const int64_t n = 256;
  const Tensor x(core::default_generator().uniform({n, 1}, -1.0f, 1.0f));
  const Tensor noise(core::default_generator().normal({n, 1}, 0.0f, 0.1f));
  const Tensor y(core::add(core::map(x.data(), [](float v) { return std::sin(3 * v); }), noise.data()));

  // Model: 1 -> 64 -> 1 with tanh, weights scaled by 1/sqrt(fan_in).
  const int64_t hidden = 64;
  Tensor w1 = Tensor::randn({hidden, 1}, true);
  Tensor b1 = Tensor::zeros({hidden}, true);
  Tensor w2(core::mul_scalar(core::default_generator().normal({1, hidden}), 1.0f / std::sqrt(64.0f)), true);
  Tensor b2 = Tensor::zeros({1}, true);
  std::vector<Tensor> params{w1, b1, w2, b2};

  const float lr = 0.1f;
  for (int step = 0; step <= steps; ++step) {
    const Tensor prediction = linear(tanh(linear(x, w1, b1)), w2, b2);
    const Tensor loss = mean(pow(prediction - y, 2.0f));  // mean squared error
    for (Tensor& p : params) p.zero_grad();
    loss.backward();
    {
      NoGradGuard no_grad;  // the update is not part of the graph
      for (Tensor& p : params) p.data().add_(p.grad(), -lr);
    }
    if (step % (steps / 10 > 0 ? steps / 10 : 1) == 0)
      spdlog::info("step {:5d}  loss {:.5f}", step, loss.item());
  }
  // The noise floor: a perfect fit leaves the noise variance, 0.01.
  spdlog::info("done: the noise alone has mean squared error {:.5f}",
               core::mean(core::mul(noise.data(), noise.data()), {}).item());
  return 0;
} catch (const ember::Error& e) {
  spdlog::error("{}", e.what());
  return 1;
}
