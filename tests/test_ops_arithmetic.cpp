#include <doctest/doctest.h>

#include "ember/core/elementwise.h"
#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("gradients of broadcasting arithmetic are summed over broadcast dims") {
  Tensor a = Tensor::randn({2, 1, 3}, true), b = Tensor::randn({4, 1}, true);
  check_gradients([](const auto& in) { return in[0] + in[1]; }, {a, b});
  check_gradients([](const auto& in) { return in[0] - in[1]; }, {a, b});
  check_gradients([](const auto& in) { return in[0] * in[1]; }, {a, b});
  Tensor d = Tensor(core::add_scalar(core::default_generator().uniform({4, 1}), 1.0f), true);
  check_gradients([](const auto& in) { return in[0] / in[1]; }, {a, d});
}

TEST_CASE("scalar arithmetic, negation and pow") {
  Tensor x = Tensor(core::add_scalar(core::default_generator().uniform({3, 2}), 0.5f), true);
  check_gradients([](const auto& in) { return 3.0f * in[0] + 1.0f - in[0] / 2.0f; }, {x});
  check_gradients([](const auto& in) { return 2.0f - (-in[0]); }, {x});
  check_gradients([](const auto& in) { return pow(in[0], 2.5f); }, {x});
  CHECK((pow(x, 2.0f)).to_vector() == (x * x).to_vector());
}

TEST_CASE("incompatible shapes name the op and both shapes") {
  Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({4});
  CHECK_THROWS_WITH_AS(a + b, doctest::Contains("[add] shapes (2, 3) and (4,) cannot be broadcast"), Error);
  CHECK_THROWS_WITH_AS(a - b, doctest::Contains("[sub] shapes (2, 3) and (4,)"), Error);
  CHECK_THROWS_WITH_AS(a * b, doctest::Contains("[mul] shapes (2, 3) and (4,)"), Error);
  CHECK_THROWS_WITH_AS(a / b, doctest::Contains("[div] shapes (2, 3) and (4,)"), Error);
}
