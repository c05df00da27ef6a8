// SGD against hand-computed steps (torch.optim.SGD's rules; the golden optim.SGD cases check the
// same against PyTorch) and against a scalar reference on an array large enough to run threaded.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/ember.h"
#include "ember/optim/sgd.h"
#include "support/check.h"
#include "support/optim.h"

using ember::Error;
using ember::NDArray;
using ember::Tensor;
using ember::optim::SGD;
using ember::optim::SGDOptions;
using ember::testing::check_values;

namespace {

// The value of a one-element parameter after steps with these gradients.
std::vector<float> run(const SGDOptions& options, float p0, const std::vector<float>& grads) {
  return ember::testing::run_steps<SGD>(options, p0, grads);
}

}  // namespace

TEST_CASE("plain SGD and weight decay") {
  check_values(run({.lr = 0.1f}, 1.0f, {0.5f, -1.0f}), {0.95, 1.05});
  // g = 0 + 0.5 * 2 = 1: p = 2 - 0.1
  check_values(run({.lr = 0.1f, .weight_decay = 0.5f}, 2.0f, {0.0f}), {1.9});
}

TEST_CASE("momentum: the first step copies the gradient, later ones are dampened") {
  // buf: 1; 0.9 + 0.5 = 1.4; 1.26 + 1 = 2.26.  p: 1 - 0.1, - 0.14, - 0.226
  check_values(run({.lr = 0.1f, .momentum = 0.9f, .dampening = 0.5f}, 1.0f, {1.0f, 1.0f, 2.0f}),
               {0.9, 0.76, 0.534});
}

TEST_CASE("Nesterov momentum with weight decay") {
  // step 1: d = 1.1, buf = 1.1, update d + 0.9 buf = 2.09 -> p = 0.791
  // step 2: d = 0.0791, buf = 0.99 + 0.0791 = 1.0691, update 0.0791 + 0.96219 -> p = 0.686871
  check_values(run({.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.1f, .nesterov = true}, 1.0f,
                   {1.0f, 0.0f}),
               {0.791, 0.686871});
}

TEST_CASE("a large parameter matches a scalar reference loop") {
  const int64_t n = 3 * ember::core::kParallelElements + 5;  // threaded path, ragged end
  const NDArray p0 = ember::core::default_generator().normal({n});
  Tensor p(p0.clone(), true);
  const SGDOptions o{.lr = 0.05f, .momentum = 0.8f, .weight_decay = 0.01f, .nesterov = true};
  SGD opt({p}, o);
  std::vector<float> ref = p0.to_vector(), buf(static_cast<size_t>(n));
  for (int step = 0; step < 3; ++step) {
    const NDArray g = ember::core::default_generator().normal({n});
    p.set_grad(g);
    opt.step();
    for (size_t i = 0; i < ref.size(); ++i) {
      const float d = g.data()[i] + o.weight_decay * ref[i];
      buf[i] = step == 0 ? d : o.momentum * buf[i] + d;
      ref[i] -= o.lr * (d + o.momentum * buf[i]);
    }
  }
  const std::vector<float> got = p.to_vector();
  for (size_t i = 0; i < ref.size(); i += 997)
    CHECK(got[i] == doctest::Approx(ref[i]).epsilon(1e-6));
  CHECK(opt.state()[0].step == 3);
}

TEST_CASE("SGD options are checked") {
  Tensor p = Tensor::zeros({2}, true);
  CHECK_THROWS_WITH_AS(SGD({p}, {.momentum = -0.1f}), doctest::Contains("[SGD] momentum"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, {.momentum = 0.0f, .nesterov = true}),
                       doctest::Contains("[SGD] Nesterov"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, {.momentum = 0.9f, .dampening = 0.1f, .nesterov = true}),
                       doctest::Contains("dampening 0.1"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, {.dampening = NAN}), doctest::Contains("[SGD] dampening"), Error);
  CHECK(SGD({p}, {}).buffer_names().empty());
}
