#include <doctest/doctest.h>

#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("index_select, gather and scatter_add gradients accumulate over repeats") {
  Tensor x = Tensor::randn({4, 3}, true);
  const IndexArray rows({3, 0, 3, 1});
  check_gradients([&](const auto& in) { return index_select(in[0], 0, rows); }, {x});
  check_gradients([&](const auto& in) { return index_select(in[0], 1, IndexArray({2, 2})); }, {x});
  const IndexArray idx({0, 0, 2, 1, 1, 1, 2, 0}, {4, 2});
  check_gradients([&](const auto& in) { return gather(in[0], 1, idx); }, {x});
  Tensor src = Tensor::randn({4, 2}, true);
  check_gradients([&](const auto& in) { return scatter_add(in[0], 1, idx, in[1]); }, {x, src});
}

TEST_CASE("masked_fill and where route the gradient") {
  Tensor x = Tensor::randn({2, 3}, true), y = Tensor::randn({2, 3}, true);
  const Tensor mask = Tensor::from_vector({0, 1, 0}, {3});
  check_gradients([&](const auto& in) { return masked_fill(in[0], mask, -1e9f); }, {x});
  x.zero_grad();
  masked_fill(x, mask, 0.0f).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<float>{1, 0, 1, 1, 0, 1});
  check_gradients([&](const auto& in) { return where(mask, in[0], in[1]); }, {x, y});
}

TEST_CASE("embedding: padding row gets no gradient; ids are checked") {
  Tensor w = Tensor::randn({5, 3}, true);
  const IndexArray ids({1, 0, 1, 4}, {2, 2});
  const Tensor e = embedding(w, ids, 0);
  CHECK(e.shape() == Shape{2, 2, 3});
  e.sum().backward();
  CHECK(w.grad().at({1, 0}) == 2.0f);
  CHECK(w.grad().at({0, 0}) == 0.0f);
  CHECK(w.grad().at({2, 0}) == 0.0f);
  check_gradients([&](const auto& in) { return embedding(in[0], ids); }, {w});
  CHECK_THROWS_WITH_AS(embedding(w, IndexArray({5})),
                       doctest::Contains("[embedding] token id 5 out of range for a vocabulary of 5 (weight (5, 3))"),
                       Error);
  CHECK_THROWS_WITH_AS(embedding(Tensor::zeros({5}), ids), doctest::Contains("[embedding] weight must be (V, E)"), Error);
}

TEST_CASE("indexing errors name the op") {
  Tensor x = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(index_select(x, 0, IndexArray({2})), doctest::Contains("[index_select] index 2 out of range"), Error);
  CHECK_THROWS_WITH_AS(gather(x, 1, IndexArray({0}, {1})), doctest::Contains("[gather] index of shape (1,)"), Error);
  CHECK_THROWS_WITH_AS(scatter_add(x, 1, IndexArray({0, 0}, {1, 2}), Tensor::zeros({2, 2})),
                       doctest::Contains("[scatter_add] source (2, 2) must have the index's shape (1, 2)"), Error);
  CHECK_THROWS_WITH_AS(masked_fill(x, Tensor::zeros({4}), 0.0f), doctest::Contains("[masked_fill]"), Error);
  CHECK_THROWS_WITH_AS(where(Tensor::zeros({4}), x, x), doctest::Contains("[where] shapes (4,) and (2, 3)"), Error);
}

TEST_CASE("embedding refuses a padding_idx past the vocabulary up front") {
  Tensor w = Tensor::randn({5, 3}, true);
  // Accepted before, then failing inside backward.
  CHECK_THROWS_WITH_AS(embedding(w, IndexArray({1, 2}), 7),
                       doctest::Contains("[embedding] padding_idx 7 out of range for a vocabulary "
                                         "of 5 (weight (5, 3))"),
                       Error);
}
