#include <doctest/doctest.h>

#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("matmul gradients, batched, broadcast and vector forms") {
  auto mm = [](const auto& in) { return matmul(in[0], in[1]); };
  check_gradients(mm, {Tensor::randn({3, 4}, true), Tensor::randn({4, 2}, true)});
  check_gradients(mm, {Tensor::randn({2, 3, 4}, true), Tensor::randn({4, 2}, true)});
  check_gradients(mm, {Tensor::randn({3, 4}, true), Tensor::randn({2, 4, 2}, true)});
  check_gradients(mm, {Tensor::randn({2, 2, 3, 4}, true), Tensor::randn({2, 1, 4, 2}, true)});
  check_gradients(mm, {Tensor::randn({4}, true), Tensor::randn({4, 3}, true)});
  check_gradients(mm, {Tensor::randn({2, 4}, true), Tensor::randn({4}, true)});
  check_gradients([](const auto& in) { return matmul(in[0], in[1].transpose(0, 1)); },
                  {Tensor::randn({3, 4}, true), Tensor::randn({2, 4}, true)});
}

TEST_CASE("linear is x @ w^T + b, with gradients") {
  Tensor x = Tensor::randn({2, 3, 4}, true), w = Tensor::randn({5, 4}, true), b = Tensor::randn({5}, true);
  const Tensor y = linear(x, w, b);
  testing::check_close(y.data(), (matmul(x, w.transpose(0, 1)) + b).data());
  check_gradients([](const auto& in) { return linear(in[0], in[1], in[2]); }, {x, w, b});
  check_gradients([](const auto& in) { return linear(in[0], in[1]); }, {x, w});
  check_gradients([](const auto& in) { return linear(in[0], in[1], in[2]); },
                  {Tensor::randn({4}, true), w, b});
}

TEST_CASE("product errors show both shapes") {
  CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({2, 3}), Tensor::zeros({4, 5})),
                       doctest::Contains("[matmul] inner dimensions differ: (2, 3) @ (4, 5)"), Error);
  CHECK_THROWS_WITH_AS(linear(Tensor::zeros({2, 3}), Tensor::zeros({5, 4})),
                       doctest::Contains("[linear] input (2, 3) does not match weight (5, 4)"), Error);
  CHECK_THROWS_WITH_AS(linear(Tensor::zeros({2, 4}), Tensor::zeros({5, 4}), Tensor::zeros({4})),
                       doctest::Contains("[linear] bias (4,) does not match weight (5, 4)"), Error);
}
