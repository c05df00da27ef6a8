#include <doctest/doctest.h>

#include "ember/core/elementwise.h"
#include "ember/core/strided.h"
#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("gradients of the nonlinearities") {
  // keep relu's inputs away from the kink at 0, where finite differences are meaningless
  Tensor x = Tensor(core::map(core::default_generator().normal({3, 4}),
                              [](float v) { return v + (v >= 0 ? 0.1f : -0.1f); }),
                    true);
  check_gradients([](const auto& in) { return relu(in[0]); }, {x});
  check_gradients([](const auto& in) { return gelu(in[0]); }, {x});
  check_gradients([](const auto& in) { return tanh(in[0]); }, {x});
  check_gradients([](const auto& in) { return sigmoid(in[0]); }, {x});
  check_gradients([](const auto& in) { return exp(in[0]); }, {x});
  Tensor p = Tensor(core::add_scalar(core::default_generator().uniform({3, 4}), 0.5f), true);
  check_gradients([](const auto& in) { return log(in[0]); }, {p});
  check_gradients([](const auto& in) { return sqrt(in[0]); }, {p});
}

TEST_CASE("glu halves the gated dim") {
  Tensor x = Tensor::randn({2, 4, 3}, true);
  CHECK(glu(x, 1).shape() == Shape{2, 2, 3});
  check_gradients([](const auto& in) { return glu(in[0], 1); }, {x});
  check_gradients([](const auto& in) { return glu(in[0].transpose(1, 2), -1); }, {x});
  CHECK_THROWS_WITH_AS(glu(x, 2), doctest::Contains("[glu] dim 2 of shape (2, 4, 3) must have an even size"),
                       Error);
}
