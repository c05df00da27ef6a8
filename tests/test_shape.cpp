#include <doctest/doctest.h>

#include <sstream>

#include "ember/core/error.h"
#include "ember/core/shape.h"

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
  CHECK(normalize_dim(-2, Shape{2, 3}, "op") == 0);
  CHECK_THROWS_WITH_AS(normalize_dim(2, Shape{2, 3}, "narrow"),
                       doctest::Contains("[narrow] dim 2 out of range for shape (2, 3)"),
                       ember::Error);
  CHECK(infer_shape({-1, 4}, 12, "view") == Shape{3, 4});
  CHECK_THROWS_WITH_AS(infer_shape({5, -1}, 12, "view"), doctest::Contains("[view]"), ember::Error);
  CHECK_THROWS_WITH_AS(infer_shape({-1, -1}, 12, "view"), doctest::Contains("only one -1"),
                       ember::Error);
}

TEST_CASE("numel_of refuses negative sizes and products past 2^63 - 1") {
  const int64_t big = int64_t{1} << 40;
  CHECK_THROWS_WITH_AS(numel_of({big, big}),
                       doctest::Contains("[shape] shape (1099511627776, 1099511627776) has more "
                                         "than 2^63 - 1 elements"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(numel_of({4, int64_t{1} << 62}, "zeros"), doctest::Contains("[zeros]"),
                       ember::Error);
  // (2^32, 2^32) wraps to 0 and (-1, -1) to 1 without the checks.
  CHECK_THROWS_AS(numel_of({int64_t{1} << 32, int64_t{1} << 32}), ember::Error);
  CHECK_THROWS_WITH_AS(numel_of({-1, -1}), doctest::Contains("[shape] negative size in shape (-1, -1)"),
                       ember::Error);
  // A zero size makes no elements, but the other sizes' strides must still fit.
  CHECK(numel_of({0, big}) == 0);
  CHECK_THROWS_AS(numel_of({0, big, big}), ember::Error);
  CHECK(numel_of({int64_t{1} << 31, int64_t{1} << 31}) == int64_t{1} << 62);
}

TEST_CASE("checked_add and checked_mul name the op and the numbers") {
  CHECK(checked_add(2, 3, "t") == 5);
  CHECK(checked_mul(-2, 3, "t") == -6);
  CHECK_THROWS_WITH_AS(checked_add(INT64_MAX, 2, "narrow"),
                       doctest::Contains("[narrow] 9223372036854775807 + 2 does not fit"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(checked_mul(int64_t{1} << 62, 4, "conv1d"),
                       doctest::Contains("[conv1d] 4611686018427387904 * 4 does not fit"),
                       ember::Error);
}

TEST_CASE("infer_shape refuses a shape whose product wraps around") {
  // 2^32 * 2^32 = 2^64 wraps to 0; with 2^62 * 4 + ... the unchecked product could match numel.
  const int64_t half = int64_t{1} << 32;
  CHECK_THROWS_WITH_AS(infer_shape({half, half}, 0, "reshape"),
                       doctest::Contains("[reshape] shape (4294967296, 4294967296) has more than"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(infer_shape({half, half, -1}, 6, "view"), doctest::Contains("[view]"),
                       ember::Error);
  // (2^62 + 1) * 4 wraps to 4.
  CHECK_THROWS_AS(infer_shape({(int64_t{1} << 62) + 1, 4}, 4, "view"), ember::Error);
}

TEST_CASE("a Shape prints as a Python tuple through operator<< and fmt") {
  std::ostringstream out;
  out << Shape{2, 3};
  CHECK(out.str() == "(2, 3)");
  CHECK(fmt::format("{} {} {}", Shape{5}, Shape{}, Shape{1, 2, 3}) == "(5,) () (1, 2, 3)");
  const std::vector<int64_t> sizes{4, 1};
  const Shape from_vector = sizes;  // any vector of sizes converts
  CHECK(fmt::format("{:>8}", from_vector) == "  (4, 1)");
}
