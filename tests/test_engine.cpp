#include <doctest/doctest.h>

#include "ember/ember.h"

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

// linear's weight gradient goes through GradientsInternal::add_product, which adds each later use's
// product straight into the gradient summed so far: the sum must be that of every use, within
// one pass and across passes (gradient accumulation).
TEST_CASE("a weight used at every step of a loop gets the sum of every step's product") {
  const Tensor w = Tensor::randn({3, 4}, true);
  std::vector<Tensor> xs;
  for (int t = 0; t < 5; ++t) xs.push_back(Tensor::randn({2, 4}));
  const auto run = [&] {
    Tensor y = Tensor::zeros({2, 3});
    for (const Tensor& x : xs) y = y + linear(x, w) * 2.0f;
    y.sum().backward();
  };
  run();
  // d/dW sum_t sum(2 x_t W^T) = 2 * sum_t 1^T x_t: every row of W gets 2 * (column sums of x_t)
  std::vector<double> column_sums(4, 0.0);
  for (const Tensor& x : xs)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 4; ++j) column_sums[static_cast<size_t>(j)] += 2.0 * x.data().at({i, j});
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t j = 0; j < 4; ++j)
      CHECK(w.grad().at({r, j}) == doctest::Approx(column_sums[static_cast<size_t>(j)]).epsilon(1e-5));
  run();  // a second pass adds to .grad
  for (int64_t j = 0; j < 4; ++j)
    CHECK(w.grad().at({1, j}) == doctest::Approx(2.0 * column_sums[static_cast<size_t>(j)]).epsilon(1e-5));
}

// select and narrow add their gradient into the part of the gradient summed so far
// (GradientsInternal::add_to_part): every step's slice, overlapping narrows and a use of the whole
// array must all arrive.
TEST_CASE("a value read one slice at a time gets every slice's gradient") {
  const Tensor x = Tensor::randn({4, 3}, true);
  Tensor y = x * 0.5f;  // the whole array too: d/dx = 0.5 everywhere
  Tensor total = y.sum();
  for (int64_t t = 0; t < 4; ++t) total = total + select(x, 0, t).sum() * static_cast<float>(t + 1);
  total = total + narrow(x, 1, 0, 2).sum() + narrow(x, 1, 1, 2).sum() * 10.0f;
  total.backward();
  for (int64_t t = 0; t < 4; ++t)
    for (int64_t j = 0; j < 3; ++j) {
      const float want = 0.5f + static_cast<float>(t + 1) + (j < 2 ? 1.0f : 0.0f) + (j > 0 ? 10.0f : 0.0f);
      CHECK(x.grad().at({t, j}) == doctest::Approx(want));
    }
}

// Version counter (core::NDArray::version): an op records the version of each input's storage;
// backward refuses once one was written in place since, as PyTorch does.
TEST_CASE("backward refuses when an input was modified in place after the op used it") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});  // saved by matmul for dw
  Tensor w = Tensor::ones({3, 2}, true);
  Tensor loss = matmul(x, w).sum();
  x.data().mul_(2.0f);  // dw would be computed from the new x
  CHECK_THROWS_WITH_AS(
      loss.backward(),
      doctest::Contains("[backward of matmul] input 0 (one that needs no gradient) was modified "
                        "in place after matmul used it (version 0 -> 1)"),
      Error);
}

TEST_CASE("the refusal names the input's shape and counts writes through any view") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, true);
  Tensor loss = (x * x).sum();
  x.data().select(0, 1).fill_(0.0f);  // a view shares the storage and its version
  CHECK_THROWS_WITH_AS(loss.backward(),
                       doctest::Contains("[backward of mul] input 0 (shape (2, 3)) was modified "
                                         "in place after mul used it (version 0 -> 1)"),
                       Error);
}

TEST_CASE("an unmodified graph and writes before the forward pass are fine") {
  Tensor x = Tensor::from_vector({1, 2, 3}, {3}, true);
  x.data().add_(NDArray::ones({3}));  // before use: the op records version 1
  Tensor y = Tensor::from_vector({4, 5, 6}, {3});
  Tensor loss = (x * y).sum();
  NDArray unrelated = y.data().clone();
  unrelated.fill_(0.0f);  // a copy has its own storage
  loss.backward();
  CHECK(x.grad().to_vector() == std::vector<float>{4, 5, 6});
  CHECK(x.data().version() == 1);
}

TEST_CASE("an optimizer loop writes parameters between graphs without tripping the check") {
  Tensor w = Tensor::from_vector({0.5f, -0.5f}, {2}, true);
  optim::SGD sgd({w}, optim::SGDOptions{.lr = 0.1f});
  const Tensor x = Tensor::from_vector({1, 2}, {2});
  for (int step = 0; step < 3; ++step) {
    sgd.zero_grad();
    const uint64_t before = w.data().version();
    (w * x).sum().backward();
    sgd.step();
    CHECK(w.data().version() == before + 1);  // step counts as a write
  }
  CHECK(w.to_vector()[0] == doctest::Approx(0.5f - 3 * 0.1f));
  CHECK(w.to_vector()[1] == doctest::Approx(-0.5f - 3 * 0.2f));
}

TEST_CASE("an optimizer step between forward and backward is refused") {
  Tensor w = Tensor::from_vector({0.5f, -0.5f}, {2}, true);
  optim::SGD sgd({w}, optim::SGDOptions{.lr = 0.1f});
  Tensor loss = (w * w).sum();
  loss.backward();
  Tensor next = (w * w).sum();
  sgd.step();
  CHECK_THROWS_WITH_AS(next.backward(), doctest::Contains("[backward of mul] input 0 (shape (2,))"),
                       Error);
}
