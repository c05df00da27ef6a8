#include <doctest/doctest.h>

#include "ember.h"

using namespace ember;

TEST_CASE("a leaf that requires grad receives its gradient") {
  Tensor x = Tensor::from_vector({1, 2, 3}, {3}, true);
  CHECK(x.is_leaf());
  CHECK_FALSE(x.grad().defined());
  Tensor y = (x * x).sum();  // dy/dx = 2x
  CHECK_FALSE(y.is_leaf());
  CHECK(y.requires_grad());
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<float>{2, 4, 6});
}

TEST_CASE("gradients accumulate across backward passes until zero_grad") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  (x * 3.0f).sum().backward();
  (x * 3.0f).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<float>{6, 6});
  x.zero_grad();
  (x * 1.0f).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<float>{1, 1});
}

TEST_CASE("backward with an explicit upstream gradient") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  Tensor y = x * 2.0f;
  y.backward(NDArray::from_vector({10, 100}, {2}));
  CHECK(x.grad().to_vector() == std::vector<float>{20, 200});
}

TEST_CASE("backward errors") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  CHECK_THROWS_WITH_AS((x * 2.0f).backward(), doctest::Contains("[backward] without an upstream"),
                       Error);
  CHECK_THROWS_WITH_AS(Tensor::ones({1}).backward(), doctest::Contains("does not require grad"),
                       Error);
  CHECK_THROWS_WITH_AS((x * 2.0f).backward(NDArray::ones({3})),
                       doctest::Contains("[backward] upstream gradient of shape (3,)"), Error);
  CHECK_THROWS_WITH_AS((x * 2.0f).set_requires_grad(false), doctest::Contains("only leaves"), Error);
  CHECK_THROWS_WITH_AS(Tensor().shape(), doctest::Contains("undefined tensor"), Error);
}

TEST_CASE("detach cuts the history but shares the values") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  Tensor d = (x * 2.0f).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.to_vector() == std::vector<float>{2, 4});
  Tensor y = (d * x).sum();
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<float>{2, 4});
}

TEST_CASE("method forms match the free functions") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, true);
  CHECK(x.reshape({3, 2}).shape() == Shape{3, 2});
  CHECK(x.transpose(0, 1).shape() == Shape{3, 2});
  CHECK(x.permute({1, 0}).to_vector() == std::vector<float>{1, 4, 2, 5, 3, 6});
  CHECK(x.narrow(1, 1, 2).shape() == Shape{2, 2});
  CHECK(x.select(0, 1).to_vector() == std::vector<float>{4, 5, 6});
  CHECK(x.unsqueeze(0).squeeze(0).shape() == Shape{2, 3});
  CHECK(x.sum({1}).to_vector() == std::vector<float>{6, 15});
  CHECK(x.mean().item() == 3.5f);
  CHECK(x.unsqueeze(0).expand({4, 2, 3}).contiguous().numel() == 24);
  CHECK(Tensor::full({2}, 3.0f).to_vector() == std::vector<float>{3, 3});
  CHECK(Tensor::rand({100}).data().to_vector() != Tensor::rand({100}).data().to_vector());
}

TEST_CASE("factories refuse shapes past 2^63 - 1 elements") {
  const int64_t big = int64_t{1} << 40;
  CHECK_THROWS_WITH_AS(Tensor::zeros({big, big}), doctest::Contains("has more than 2^63 - 1 elements"),
                       Error);
  CHECK_THROWS_WITH_AS(Tensor::randn({big, big}), doctest::Contains("(1099511627776, 1099511627776)"),
                       Error);
  CHECK_THROWS_WITH_AS(Tensor::full({-2, -3}, 1.0f), doctest::Contains("negative size"), Error);
}
