#include <doctest/doctest.h>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/core/reduce.h"

using namespace ember::core;

namespace {
NDArray iota(const Shape& shape) { return NDArray::arange(numel_of(shape)).view(shape); }
}  // namespace

TEST_CASE("sum over dims, with and without keepdim") {
  const NDArray x = iota({2, 3, 4});
  CHECK(sum(x, {}).item() == 276.0f);
  CHECK(sum(x, {}).dim() == 0);
  const NDArray s = sum(x, {1});
  CHECK(s.shape() == Shape{2, 4});
  CHECK(s.at({1, 2}) == 14.0f + 18.0f + 22.0f);
  CHECK(sum(x, {0, 2}, true).shape() == Shape{1, 3, 1});
  CHECK(sum(x, {0, 2}).to_vector() == std::vector<float>{60, 92, 124});
  CHECK(sum(x, {-1}).at({0, 0}) == 6.0f);
  CHECK_THROWS_WITH_AS(sum(x, {1, 1}), doctest::Contains("[sum] dim 1 listed twice"), ember::Error);
}

TEST_CASE("sum of a strided view equals the sum of its copy") {
  Generator gen(1);
  const NDArray x = gen.normal({3, 5, 7}).permute({2, 0, 1});
  for (std::vector<int64_t> dims : {std::vector<int64_t>{0}, {1}, {2}, {0, 2}, {}}) {
    const std::vector<float> a = sum(x, dims).to_vector(), b = sum(x.contiguous(), dims).to_vector();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-5));
  }
}

TEST_CASE("mean, max and argmax") {
  const NDArray x = NDArray::from_vector({1, 5, 3, 7, 2, 7}, {2, 3});
  CHECK(mean(x, {1}).to_vector() == std::vector<float>{3, 16.0f / 3});
  const MaxResult m = max(x, 1);
  CHECK(m.values.to_vector() == std::vector<float>{5, 7});
  CHECK(m.indices.values() == std::vector<int64_t>{1, 0});  // first index on ties
  CHECK(argmax(x, 0, true).shape() == Shape{1, 3});
  CHECK(argmax(x, 0).values() == std::vector<int64_t>{1, 0, 1});
}

TEST_CASE("sum_to undoes broadcasting") {
  const NDArray g = NDArray::ones({4, 2, 3});
  CHECK(sum_to(g, {2, 1}).to_vector() == std::vector<float>{12, 12});
  CHECK(sum_to(g, {3}).to_vector() == std::vector<float>{8, 8, 8});
  CHECK(sum_to(g, {4, 2, 3}).shares_storage_with(g));
  CHECK_THROWS_WITH_AS(sum_to(g, {5}), doctest::Contains("[sum_to] cannot reduce (4, 2, 3) to (5,)"),
                       ember::Error);
}
