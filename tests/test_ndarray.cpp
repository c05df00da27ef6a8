#include <doctest/doctest.h>

#include "ember/core/error.h"
#include "ember/core/ndarray.h"
#include "ember/core/threads.h"

using namespace ember::core;

namespace {
NDArray iota(const Shape& shape) { return NDArray::arange(numel_of(shape)).view(shape); }
}  // namespace

TEST_CASE("factories") {
  CHECK(NDArray::zeros({2, 3}).to_vector() == std::vector<float>(6, 0.0f));
  CHECK(NDArray::full({2}, 7.0f).to_vector() == std::vector<float>{7, 7});
  CHECK(NDArray::scalar(3.0f).item() == 3.0f);
  CHECK(NDArray::scalar(3.0f).dim() == 0);
  CHECK_THROWS_WITH_AS(NDArray::from_vector({1, 2, 3}, {2, 2}),
                       doctest::Contains("[from_vector] 3 values do not fill shape (2, 2)"),
                       ember::Error);
  CHECK_FALSE(NDArray().defined());
}

TEST_CASE("views share storage and copy nothing") {
  const NDArray x = iota({2, 3, 4});
  const NDArray t = x.transpose(0, 2);
  CHECK(t.shape() == Shape{4, 3, 2});
  CHECK(t.shares_storage_with(x));
  CHECK_FALSE(t.is_contiguous());
  CHECK(t.at({3, 1, 1}) == x.at({1, 1, 3}));
  const NDArray n = x.narrow(1, 1, 2);
  CHECK(n.at({1, 0, 2}) == x.at({1, 1, 2}));
  const NDArray s = x.select(2, 3);
  CHECK(s.shape() == Shape{2, 3});
  CHECK(s.at({1, 2}) == 23.0f);
  n.fill_(-1.0f);  // writes through the view
  CHECK(x.at({0, 1, 0}) == -1.0f);
  CHECK(x.at({0, 0, 0}) == 0.0f);
}

TEST_CASE("permute, reshape and contiguous") {
  const NDArray x = iota({2, 3});
  const NDArray p = x.permute({1, 0});
  CHECK(p.contiguous().to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
  CHECK_FALSE(p.reshape({6}).shares_storage_with(x));  // not viewable: copied
  CHECK(x.reshape({3, -1}).shares_storage_with(x));
  CHECK(x.reshape({3, -1}).shape() == Shape{3, 2});
  CHECK_THROWS_WITH_AS(p.view({6}), doctest::Contains("[view] needs a contiguous array"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(x.permute({0, 0}), doctest::Contains("[permute] dim 0 repeated"),
                       ember::Error);
}

TEST_CASE("expand, unsqueeze and squeeze") {
  const NDArray x = NDArray::from_vector({1, 2, 3}, {3, 1});
  const NDArray e = x.expand({2, 3, 4});
  CHECK(e.strides()[0] == 0);
  CHECK(e.strides()[2] == 0);
  CHECK(e.at({1, 2, 3}) == 3.0f);
  CHECK_THROWS_WITH_AS(x.expand({2, 4}), doctest::Contains("[expand] cannot expand (3, 1) to (2, 4)"),
                       ember::Error);
  CHECK(x.unsqueeze(0).shape() == Shape{1, 3, 1});
  CHECK(x.squeeze(1).shape() == Shape{3});
  CHECK_THROWS_WITH_AS(x.squeeze(0), doctest::Contains("[squeeze] dim 0 has size 3"), ember::Error);
}

TEST_CASE("in-place copy_, add_ and mul_ broadcast the source") {
  const NDArray x = NDArray::zeros({2, 3});
  x.copy_(NDArray::from_vector({1, 2, 3}, {3}));
  CHECK(x.to_vector() == std::vector<float>{1, 2, 3, 1, 2, 3});
  x.add_(NDArray::from_vector({10, 20}, {2, 1}), 0.5f);
  CHECK(x.to_vector() == std::vector<float>{6, 7, 8, 11, 12, 13});
  x.transpose(0, 1).mul_(2.0f);
  CHECK(x.at({1, 2}) == 26.0f);
}

TEST_CASE("a long contiguous add_ and mul_ split over two threads reach every element once") {
  // 100003 elements: one coalesced row, cut into an odd split; a scalar source has stride 0.
  const int previous = num_threads();
  set_num_threads(2);
  const NDArray x = NDArray::arange(100003);
  x.add_(NDArray::arange(100003), 2.0f);
  x.add_(NDArray::full({1}, 1.0f));
  x.mul_(0.5f);
  set_num_threads(previous);
  const std::vector<float> got = x.to_vector();
  int64_t wrong = 0;
  for (size_t i = 0; i < got.size(); ++i) wrong += got[i] != (3.0f * i + 1.0f) * 0.5f;
  CHECK(wrong == 0);
}

TEST_CASE("narrow and select bounds are checked") {
  const NDArray x = iota({2, 3});
  CHECK_THROWS_WITH_AS(x.narrow(1, 2, 2), doctest::Contains("[narrow] range [2, 4) out of bounds"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(x.select(0, 2), doctest::Contains("[select] index 2 out of range"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(x.item(), doctest::Contains("[item]"), ember::Error);
  CHECK_THROWS_WITH_AS(x.at({0, 3}), doctest::Contains("[at]"), ember::Error);
}

TEST_CASE("IndexArray") {
  const IndexArray ids({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(ids.size(1) == 3);
  CHECK(ids.reshape({3, 2}).shape() == Shape{3, 2});
  CHECK(ids[4] == 5);
  CHECK_THROWS_WITH_AS(IndexArray({1, 2}, {3}), doctest::Contains("[IndexArray]"), ember::Error);
}

TEST_CASE("sizes past 64 bits or past memory are refused, never wrapped around") {
  const int64_t big = int64_t{1} << 40;
  // (2^40, 2^40) wrapped to 0 elements: an array that claims 2^80 elements over one float.
  CHECK_THROWS_WITH_AS(NDArray::zeros({big, big}),
                       doctest::Contains("[empty] shape (1099511627776, 1099511627776) has more "
                                         "than 2^63 - 1 elements"),
                       ember::Error);
  // 2^40 floats (4 TiB) fit 64 bits but no machine this runs on: the allocator says so, with the
  // bytes and the shape, instead of a bare std::bad_alloc.
  CHECK_THROWS_WITH_AS(NDArray::empty({int64_t{1} << 20, int64_t{1} << 20}),
                       doctest::Contains("[alloc] cannot allocate 4398046511104 bytes"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(NDArray::empty({int64_t{1} << 20, int64_t{1} << 20}),
                       doctest::Contains("(an array of shape (1048576, 1048576))"), ember::Error);
  const NDArray x = iota({2, 2});
  // (2^62 + 1) * 4 wraps around to 4: view and reshape accepted it.
  CHECK_THROWS_WITH_AS(x.view({(int64_t{1} << 62) + 1, 4}), doctest::Contains("[view] shape"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(x.transpose(0, 1).reshape({(int64_t{1} << 62) + 1, 4}),
                       doctest::Contains("[reshape] shape"), ember::Error);
  CHECK_THROWS_WITH_AS(NDArray::scalar(1.0f).expand({big, big}),
                       doctest::Contains("[expand] shape"), ember::Error);
  CHECK_THROWS_WITH_AS(NDArray::scalar(1.0f).expand({-1}),
                       doctest::Contains("[expand] negative size in shape (-1,)"), ember::Error);
  CHECK_THROWS_WITH_AS(IndexArray({}, {int64_t{1} << 32, int64_t{1} << 32}),
                       doctest::Contains("[IndexArray] shape"), ember::Error);
}

TEST_CASE("narrow's range is checked without overflow") {
  const NDArray x = iota({2, 3});
  // INT64_MAX + 2 wrapped to a negative end that passed the bound: a view far outside storage.
  CHECK_THROWS_WITH_AS(
      x.narrow(0, INT64_MAX, 2),
      doctest::Contains("[narrow] range [9223372036854775807, 9223372036854775807 + 2) out of "
                        "bounds for dim 0 of shape (2, 3)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(x.narrow(1, 1, INT64_MAX), doctest::Contains("[narrow]"), ember::Error);
  CHECK_THROWS_WITH_AS(x.narrow(1, 0, -1), doctest::Contains("[narrow]"), ember::Error);
  CHECK(x.narrow(1, 3, 0).numel() == 0);
}
