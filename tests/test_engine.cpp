#include <doctest/doctest.h>

#include "ember.h"

using namespace ember;

TEST_CASE("a value used on several paths gets the sum of their gradients") {
  Tensor x = Tensor::from_vector({3}, {1}, true);
  Tensor a = x * 2.0f, b = x * x;
  (a + b + a).sum().backward();  // d/dx (4x + x^2) = 4 + 2x
  CHECK(x.grad().item() == 10.0f);
}

TEST_CASE("a chain of 10,000 ops backpropagates without exhausting the stack") {
  Tensor x = Tensor::from_vector({1}, {1}, true);
  Tensor y = x;
  for (int i = 0; i < 10000; ++i) y = i % 2 == 0 ? y + 1.0f : y * 1.0001f;
  y.sum().backward();
  CHECK(x.grad().item() == doctest::Approx(std::pow(1.0001, 5000)).epsilon(1e-4));
}

TEST_CASE("the graph is freed by backward; a second pass is an error") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  Tensor y = (x * x).sum();
  y.backward();
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("already freed"), Error);
}

TEST_CASE("a custom op's backward must produce gradients of the input's shape") {
  Tensor x = Tensor::from_vector({1, 2}, {2}, true);
  Tensor bad = make_result(x.data().clone(), "bad_op", {x}, [](const NDArray&, Gradients& g) {
    g.set(0, NDArray::zeros({3}));
  });
  CHECK_THROWS_WITH_AS(bad.sum().backward(),
                       doctest::Contains("[bad_op] backward produced a gradient of shape (3,)"), Error);
}

TEST_CASE("inputs that do not require grad get nothing and cost nothing") {
  Tensor w = Tensor::from_vector({2}, {1}, true);
  Tensor c = Tensor::from_vector({5}, {1});
  (w * c).sum().backward();
  CHECK(w.grad().item() == 5.0f);
  CHECK_FALSE(c.grad().defined());
  CHECK_FALSE((c * c).requires_grad());
}
