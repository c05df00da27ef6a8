// Adam and AdamW against hand-computed steps (torch's rules; the golden optim.Adam / optim.AdamW
// cases check the same against PyTorch), where eps goes, decoupled against L2 decay, and a scalar
// reference on an array large enough to run threaded.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/ember.h"
#include "ember/optim/adam.h"
#include "support/check.h"
#include "support/optim.h"

using ember::Error;
using ember::NDArray;
using ember::Tensor;
using ember::optim::Adam;
using ember::optim::AdamOptions;
using ember::optim::AdamW;
using ember::optim::AdamWOptions;
using ember::testing::check_values;
using ember::testing::run_steps;

TEST_CASE("Adam steps with bias correction") {
  // t=1: m = 0.2, v = 0.004, p = 1 - (0.1 / 0.1) * 0.2 / (sqrt(0.004) / sqrt(0.001) + 1e-8)
  // t=2, t=3 likewise (computed in double with the formula of adam.h).
  check_values(run_steps<Adam>(AdamOptions{.lr = 0.1f}, 1.0f, {2.0f, 0.0f, -1.0f}),
               {0.9000000005, 0.8329941755602673, 0.8152674558892861});
}

TEST_CASE("eps is added after the bias correction of sqrt(v)") {
  // g = 1e-6 = eps, t = 1: m_hat = 1e-6 and sqrt(v) / sqrt(1 - b2) = 1e-6, so the step is
  // lr * 1e-6 / (1e-6 + 1e-6) = lr / 2. With eps inside, (sqrt(v) + eps) / sqrt(1 - b2), the step
  // would be ~lr / 32.6.
  check_values(run_steps<Adam>(AdamOptions{.lr = 0.01f, .eps = 1e-6f}, 1.0f, {1e-6f}), {0.995});
}

TEST_CASE("AdamW decays the weights apart from the gradient, Adam folds the decay into it") {
  // AdamW: p = 2 * (1 - 0.1 * 0.2) = 1.96, then m = v = 0 leaves it.
  check_values(run_steps<AdamW>(AdamWOptions{.lr = 0.1f, .weight_decay = 0.2f}, 2.0f, {0.0f}),
               {1.96});
  // Adam: g = 0 + 0.2 * 2 = 0.4, and a first step moves by lr * g / (|g| + eps) ~ lr.
  check_values(run_steps<Adam>(AdamOptions{.lr = 0.1f, .weight_decay = 0.2f}, 2.0f, {0.0f}),
               {2.0 - 0.1 * 0.4 / (0.4 + 1e-8)});
  CHECK(AdamWOptions{}.weight_decay == 0.01f);  // torch's AdamW default
  CHECK(AdamOptions{}.weight_decay == 0.0f);
}

TEST_CASE("AdamW groups decay by their own weight decay") {
  Tensor a = Tensor::from_vector({1.0f}, {1}, true), b = Tensor::from_vector({1.0f}, {1}, true);
  AdamW opt(std::vector<ember::optim::ParamGroup>{{{a}, 0.1f, 0.5f}, {{b}, 0.1f, 0.0f}}, {});
  a.set_grad(NDArray::zeros({1}));
  b.set_grad(NDArray::zeros({1}));
  opt.step();
  CHECK(a.item() == doctest::Approx(0.95));
  CHECK(b.item() == 1.0f);
  CHECK(std::string(opt.name()) == "AdamW");
  CHECK(opt.state()[0].buffers.size() == 2);
}

TEST_CASE("a large parameter matches a scalar reference loop") {
  const int64_t n = 3 * ember::core::kParallelElements + 3;
  const NDArray p0 = ember::core::default_generator().normal({n});
  Tensor p(p0.clone(), true);
  const AdamOptions o{
      .lr = 0.01f, .beta1 = 0.8f, .beta2 = 0.99f, .eps = 1e-6f, .weight_decay = 0.1f};
  Adam opt({p}, o);
  const std::vector<float> start = p0.to_vector();
  std::vector<double> ref(start.begin(), start.end());
  std::vector<double> m(ref.size()), v(ref.size());
  for (int t = 1; t <= 3; ++t) {
    const NDArray g = ember::core::default_generator().normal({n});
    p.set_grad(g);
    opt.step();
    for (size_t i = 0; i < ref.size(); ++i) {
      const double gi = g.data()[i] + o.weight_decay * ref[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
      ref[i] -= o.lr / (1 - std::pow(o.beta1, t)) * m[i] /
                (std::sqrt(v[i]) / std::sqrt(1 - std::pow(o.beta2, t)) + o.eps);
    }
  }
  const std::vector<float> got = p.to_vector();
  for (size_t i = 0; i < ref.size(); i += 991)
    CHECK(got[i] == doctest::Approx(ref[i]).epsilon(1e-5));
  CHECK(opt.state()[0].step == 3);
}

TEST_CASE("Adam options are checked") {
  Tensor p = Tensor::zeros({2}, true);
  CHECK_THROWS_WITH_AS(Adam({p}, AdamOptions{.beta1 = 1.0f}), doctest::Contains("[Adam] betas"),
                       Error);
  CHECK_THROWS_WITH_AS(AdamW({p}, AdamWOptions{.beta2 = -0.1f}), doctest::Contains("[AdamW] betas"),
                       Error);
  CHECK_THROWS_WITH_AS(Adam({p}, AdamOptions{.eps = -1.0f}), doctest::Contains("[Adam] eps"),
                       Error);
  CHECK_THROWS_WITH_AS(AdamW({p}, AdamWOptions{.lr = NAN}), doctest::Contains("[AdamW] learning"),
                       Error);
}
