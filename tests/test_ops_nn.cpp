#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("softmax and log_softmax gradients along any dim") {
  Tensor x = Tensor::randn({2, 3, 4}, true);
  check_gradients([](const auto& in) { return softmax(in[0], -1); }, {x});
  check_gradients([](const auto& in) { return softmax(in[0], 1); }, {x});
  check_gradients([](const auto& in) { return log_softmax(in[0], 0); }, {x});
  CHECK_THROWS_WITH_AS(softmax(x, 3), doctest::Contains("[softmax] dim 3 out of range"), Error);
}

TEST_CASE("masked_softmax: gradients, zero weight where masked, NaN when all masked") {
  const Tensor x = Tensor::randn({2, 3, 4}, true);
  const NDArray mask = NDArray::from_vector({0, 1, 0, 0, 0, 0, 0, 1}, {2, 1, 4});
  check_gradients([&](const auto& in) { return masked_softmax(in[0], mask, 0.5f); }, {x});
  check_gradients([](const auto& in) { return masked_softmax(in[0], NDArray(), 2.0f); }, {x});
  const Tensor y = masked_softmax(x, mask, 0.5f);
  for (int64_t t = 0; t < 3; ++t) {
    CHECK(y.data().at({0, t, 1}) == 0.0f);
    CHECK(y.data().at({1, t, 3}) == 0.0f);
  }
  for (float v : masked_softmax(Tensor::randn({1, 3}), NDArray::ones({1, 3})).to_vector())
    CHECK(std::isnan(v));
  CHECK_THROWS_WITH_AS(masked_softmax(Tensor::randn({2, 3}), NDArray::zeros({3, 3})),
                       doctest::Contains("[masked_softmax] mask (3, 3) does not broadcast to "
                                         "scores (2, 3)"),
                       Error);
}

TEST_CASE("layer_norm gradients") {
  Tensor x = Tensor::randn({2, 3, 5}, true), w = Tensor::randn({5}, true), b = Tensor::randn({5}, true);
  check_gradients([](const auto& in) { return layer_norm(in[0], in[1], in[2]); }, {x, w, b});
  CHECK_THROWS_WITH_AS(layer_norm(x, Tensor::ones({4}), b), doctest::Contains("[layer_norm] input (2, 3, 5)"), Error);
}

TEST_CASE("dropout: identity in eval, inverted scaling in training, seeded") {
  Tensor x = Tensor::ones({1000}, true);
  CHECK(dropout(x, 0.5f, false).to_vector() == x.to_vector());
  core::Generator g1(11), g2(11);
  const Tensor y = dropout(x, 0.25f, true, g1);
  CHECK(y.to_vector() == dropout(x, 0.25f, true, g2).to_vector());
  int64_t zeros = 0;
  for (float v : y.to_vector()) {
    zeros += v == 0.0f;
    CHECK((v == 0.0f || v == doctest::Approx(1.0f / 0.75f)));
  }
  CHECK(zeros > 200);
  CHECK(zeros < 300);
  y.sum().backward();
  CHECK(x.grad().to_vector() == y.to_vector());  // dx = mask / (1 - p)
  check_gradients([](const auto& in) {
    core::Generator g(5);
    return dropout(in[0], 0.3f, true, g);
  }, {Tensor::randn({3, 4}, true)});
  CHECK_THROWS_WITH_AS(dropout(x, 1.0f, true), doctest::Contains("[dropout] probability 1 outside [0, 1)"), Error);
}
