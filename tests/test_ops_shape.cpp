#include <doctest/doctest.h>

#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("view ops map the gradient back") {
  Tensor x = Tensor::randn({2, 3, 4}, true);
  check_gradients([](const auto& in) { return in[0].reshape({4, -1}) * 2.0f; }, {x});
  check_gradients([](const auto& in) { return in[0].transpose(0, 2) * 2.0f; }, {x});
  check_gradients([](const auto& in) { return in[0].permute({1, 2, 0}) * 2.0f; }, {x});
  check_gradients([](const auto& in) { return in[0].narrow(2, 1, 2) * 2.0f; }, {x});
  check_gradients([](const auto& in) { return in[0].select(1, 2) * 2.0f; }, {x});
  check_gradients([](const auto& in) { return in[0].unsqueeze(1).squeeze(1) * 2.0f; }, {x});
  check_gradients([](const auto& in) { return in[0].narrow(1, 0, 1).expand({2, 5, 4}) * 2.0f; }, {x});
  check_gradients([](const auto& in) { return in[0].transpose(0, 1).contiguous(); }, {x});
}

TEST_CASE("cat, stack, split and chunk") {
  Tensor a = Tensor::randn({2, 3}, true), b = Tensor::randn({2, 1}, true);
  check_gradients([](const auto& in) { return cat({in[0], in[1]}, 1); }, {a, b});
  check_gradients([](const auto& in) { return stack({in[0], in[0] * 2.0f}, 1); }, {a});
  check_gradients([](const auto& in) { return split(in[0], {1, 2}, 1)[1] * 3.0f; }, {a});
  const auto pieces = chunk(a, 3, 1);
  CHECK(pieces.size() == 3);
  CHECK(pieces[2].shape() == Shape{2, 1});
}

TEST_CASE("shape errors name the op and the shapes") {
  Tensor x = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(x.reshape({4, 2}), doctest::Contains("[view] cannot view 6 elements as (4, 2)"), Error);
  CHECK_THROWS_WITH_AS(x.transpose(0, 2), doctest::Contains("[transpose] dim 2 out of range"), Error);
  CHECK_THROWS_WITH_AS(x.permute({0}), doctest::Contains("[permute] order of 1 dims for shape (2, 3)"), Error);
  CHECK_THROWS_WITH_AS(x.narrow(0, 1, 2), doctest::Contains("[narrow]"), Error);
  CHECK_THROWS_WITH_AS(x.select(1, 3), doctest::Contains("[select]"), Error);
  CHECK_THROWS_WITH_AS(x.squeeze(0), doctest::Contains("[squeeze]"), Error);
  CHECK_THROWS_WITH_AS(x.unsqueeze(4), doctest::Contains("[unsqueeze]"), Error);
  CHECK_THROWS_WITH_AS(x.expand({3, 3}), doctest::Contains("[expand] cannot expand (2, 3) to (3, 3)"), Error);
  CHECK_THROWS_WITH_AS(cat({x, Tensor::zeros({3, 3})}, 1), doctest::Contains("[concat] shapes (2, 3) and (3, 3)"), Error);
  CHECK_THROWS_WITH_AS(stack({x, Tensor::zeros({3})}, 0), doctest::Contains("[stack] shapes differ: (2, 3) and (3,)"), Error);
  CHECK_THROWS_WITH_AS(split(x, {1, 1}, 1), doctest::Contains("[split] sizes add up to 2 but dim 1 of (2, 3) has 3"), Error);
  CHECK_THROWS_WITH_AS(chunk(x, 2, 1), doctest::Contains("[chunk] dim 1 of shape (2, 3) does not split into 2"), Error);
}

TEST_CASE("shape ops refuse sizes and ranges that overflow 64 bits") {
  Tensor x = Tensor::zeros({2, 3});
  // (2^62 + 1) * 4 wraps around to 4: accepted before, a (2^62 + 1, 4) view of 4 floats.
  Tensor y = Tensor::zeros({4});
  CHECK_THROWS_WITH_AS(y.reshape({(int64_t{1} << 62) + 1, 4}), doctest::Contains("[view] shape"),
                       Error);
  CHECK_THROWS_WITH_AS(x.narrow(0, INT64_MAX, 2),
                       doctest::Contains("[narrow] range [9223372036854775807, "), Error);
  CHECK_THROWS_WITH_AS(split(x, {-1, 4}, 1), doctest::Contains("[split] negative size -1"), Error);
  const Tensor wide = Tensor::scalar(1.0f).expand({int64_t{1} << 62});
  CHECK_THROWS_WITH_AS(cat({wide, wide}, 0),
                       doctest::Contains("[concat] 4611686018427387904 + 4611686018427387904 does "
                                         "not fit in 64 bits"),
                       Error);
}
