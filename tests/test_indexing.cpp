#include <doctest/doctest.h>

#include "ember/core/error.h"
#include "ember/core/indexing.h"

using namespace ember::core;

namespace {
NDArray iota(const Shape& shape) { return NDArray::arange(numel_of(shape)).view(shape); }
}  // namespace

TEST_CASE("concat, stack and split") {
  const NDArray a = iota({2, 2}), b = NDArray::full({2, 1}, 9.0f);
  const NDArray c = concat({a, b}, 1);
  CHECK(c.to_vector() == std::vector<float>{0, 1, 9, 2, 3, 9});
  CHECK(stack({a, a}, 1).shape() == Shape{2, 2, 2});
  CHECK(stack({a, a}, -1).at({1, 0, 1}) == 2.0f);
  const auto parts = split(c, {2, 1}, 1);
  CHECK(parts[1].to_vector() == std::vector<float>{9, 9});
  CHECK(parts[0].shares_storage_with(c));
  CHECK_THROWS_WITH_AS(concat({a, NDArray::zeros({3, 1})}, 1),
                       doctest::Contains("[concat] shapes (2, 2) and (3, 1) differ outside dim 1"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(stack({a, b}, 0), doctest::Contains("[stack] shapes differ"), ember::Error);
  CHECK_THROWS_WITH_AS(split(c, {1, 1}, 1), doctest::Contains("[split] sizes add up to 2"),
                       ember::Error);
}

TEST_CASE("index_select and its adjoint index_add") {
  const NDArray x = iota({3, 2});
  const IndexArray idx({2, 0, 2});
  CHECK(index_select(x, 0, idx).to_vector() == std::vector<float>{4, 5, 0, 1, 4, 5});
  const NDArray g = index_add({3, 2}, 0, idx, NDArray::ones({3, 2}));
  CHECK(g.to_vector() == std::vector<float>{1, 1, 0, 0, 2, 2});
  CHECK_THROWS_WITH_AS(index_select(x, 0, IndexArray({3})),
                       doctest::Contains("[index_select] index 3 out of range [0, 3)"), ember::Error);
}

TEST_CASE("gather and scatter_add") {
  const NDArray x = iota({2, 3});
  const IndexArray idx({2, 2, 0, 1}, {2, 2});
  CHECK(gather(x, 1, idx).to_vector() == std::vector<float>{2, 2, 3, 4});
  const NDArray s = scatter_add(NDArray::zeros({2, 3}), 1, idx, NDArray::ones({2, 2}));
  CHECK(s.to_vector() == std::vector<float>{0, 0, 2, 1, 1, 0});
  CHECK_THROWS_WITH_AS(gather(x, 1, IndexArray({5}, {1, 1})),
                       doctest::Contains("[gather] index 5 out of range"), ember::Error);
  CHECK_THROWS_WITH_AS(gather(x, 1, IndexArray({0, 1}, {2})),
                       doctest::Contains("[gather] index of shape (2,) needs the rank of x (2, 3)"),
                       ember::Error);
}

TEST_CASE("masked_fill and where") {
  const NDArray x = iota({2, 2});
  const NDArray causal = NDArray::from_vector({0, 1, 0, 0}, {2, 2});
  CHECK(masked_fill(x, causal, -1.0f).to_vector() == std::vector<float>{0, -1, 2, 3});
  const NDArray rows = NDArray::from_vector({1, 0}, {2, 1});
  CHECK(masked_fill(x, rows, 7.0f).to_vector() == std::vector<float>{7, 7, 2, 3});
  CHECK_THROWS_WITH_AS(masked_fill(x, NDArray::zeros({3}), 0.0f),
                       doctest::Contains("[masked_fill] shapes (2, 2) and (3,)"), ember::Error);
  CHECK(where(rows, x, NDArray::scalar(-2.0f)).to_vector() == std::vector<float>{0, 1, -2, -2});
}
