#include <doctest/doctest.h>

#include "core/error.h"
#include "core/shape.h"

using namespace ember::core;

TEST_CASE("shape_str formats like a tuple") {
  CHECK(shape_str({2, 3}) == "(2, 3)");
  CHECK(shape_str({5}) == "(5,)");
  CHECK(shape_str({}) == "()");
}

TEST_CASE("contiguous strides are row-major") {
  CHECK(contiguous_strides({2, 3, 4}) == Shape{12, 4, 1});
  CHECK(numel_of({2, 3, 4}) == 24);
  CHECK(numel_of({}) == 1);
}

TEST_CASE("broadcast_shapes follows NumPy") {
  CHECK(broadcast_shapes({2, 1, 3}, {4, 1}, "add") == Shape{2, 4, 3});
  CHECK(broadcast_shapes({}, {3}, "add") == Shape{3});
  CHECK_THROWS_WITH_AS(broadcast_shapes({2, 3}, {4}, "add"),
                       doctest::Contains("[add] shapes (2, 3) and (4,) cannot be broadcast"),
                       ember::Error);
}

TEST_CASE("normalize_dim and infer_shape") {
  CHECK(normalize_dim(-1, 3, "op") == 2);
  CHECK_THROWS_WITH_AS(normalize_dim(3, 3, "sum"), doctest::Contains("[sum] dim 3 out of range"),
                       ember::Error);
  CHECK(infer_shape({-1, 4}, 12, "view") == Shape{3, 4});
  CHECK_THROWS_WITH_AS(infer_shape({5, -1}, 12, "view"), doctest::Contains("[view]"), ember::Error);
  CHECK_THROWS_WITH_AS(infer_shape({-1, -1}, 12, "view"), doctest::Contains("only one -1"),
                       ember::Error);
}
