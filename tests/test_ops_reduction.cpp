#include <doctest/doctest.h>

#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("sum and mean gradients, every dims/keepdim form") {
  Tensor x = Tensor::randn({2, 3, 4}, true);
  check_gradients([](const auto& in) { return sum(in[0]); }, {x});
  check_gradients([](const auto& in) { return sum(in[0], {1}); }, {x});
  check_gradients([](const auto& in) { return sum(in[0], {0, 2}, true); }, {x});
  check_gradients([](const auto& in) { return mean(in[0], {-1}); }, {x});
  check_gradients([](const auto& in) { return mean(in[0], {0, 1}, true); }, {x});
  check_gradients([](const auto& in) { return mean(in[0]); }, {x});
}

TEST_CASE("max sends the gradient to the argmax") {
  Tensor x = Tensor::from_vector({1, 5, 3, 7, 2, 4}, {2, 3}, true);
  max(x, 1).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<float>{0, 1, 0, 1, 0, 0});
  CHECK(max(x, 0, true).shape() == Shape{1, 3});
  CHECK(argmax(x, 1).values() == std::vector<int64_t>{1, 0});
  Tensor y = Tensor::randn({3, 4}, true);
  check_gradients([](const auto& in) { return max(in[0], 0); }, {y});
}

TEST_CASE("reduction errors name the op") {
  Tensor x = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(sum(x, {2}), doctest::Contains("[sum] dim 2 out of range for a tensor of rank 2"), Error);
  CHECK_THROWS_WITH_AS(mean(x, {0, 0}), doctest::Contains("listed twice"), Error);
  CHECK_THROWS_WITH_AS(max(x, 5), doctest::Contains("[max] dim 5 out of range"), Error);
  CHECK_THROWS_WITH_AS(max(Tensor::zeros({2, 0}), 1), doctest::Contains("[max] cannot reduce an empty dim"), Error);
}
