#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/random.h"
#include "core/reduce.h"
#include "core/softmax.h"

using namespace ember::core;

TEST_CASE("softmax rows sum to one and survive huge inputs") {
  const NDArray x = NDArray::from_vector({1000, 1001, 1002, -5, 0, 5}, {2, 3});
  const NDArray y = softmax(x, 1);
  const std::vector<float> s = sum(y, {1}).to_vector();
  CHECK(s[0] == doctest::Approx(1.0f));
  CHECK(s[1] == doctest::Approx(1.0f));
  CHECK(y.at({0, 2}) == doctest::Approx(0.66524096f));
  CHECK(std::isfinite(log_softmax(x, 1).at({0, 0})));
  CHECK(log_softmax(x, 1).at({0, 0}) == doctest::Approx(-2.40760596f));
}

TEST_CASE("softmax along a non-last dim equals softmax of the transpose") {
  Generator gen(2);
  const NDArray x = gen.normal({3, 4, 5});
  const std::vector<float> a = softmax(x, 1).to_vector();
  const std::vector<float> b = softmax(x.transpose(1, 2), 2).transpose(1, 2).contiguous().to_vector();
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]));
}

TEST_CASE("-inf entries get exactly zero weight") {
  const float inf = std::numeric_limits<float>::infinity();
  const NDArray y = softmax(NDArray::from_vector({0.0f, -inf, 0.0f}, {3}), 0);
  CHECK(y.to_vector() == std::vector<float>{0.5f, 0.0f, 0.5f});
}

TEST_CASE("backward kernels match their formulas") {
  Generator gen(4);
  const NDArray x = gen.normal({2, 5}), dy = gen.normal({2, 5});
  const NDArray y = softmax(x, 1);
  const NDArray dx = softmax_backward(y, dy, 1);
  for (int64_t i = 0; i < 2; ++i) {
    double dot = 0;
    for (int64_t j = 0; j < 5; ++j) dot += y.at({i, j}) * dy.at({i, j});
    for (int64_t j = 0; j < 5; ++j)
      CHECK(dx.at({i, j}) == doctest::Approx(y.at({i, j}) * (dy.at({i, j}) - dot)));
  }
  const NDArray ly = log_softmax(x, 1);
  const NDArray ldx = log_softmax_backward(ly, dy, 1);
  for (int64_t i = 0; i < 2; ++i) {
    double total = 0;
    for (int64_t j = 0; j < 5; ++j) total += dy.at({i, j});
    for (int64_t j = 0; j < 5; ++j)
      CHECK(ldx.at({i, j}) == doctest::Approx(dy.at({i, j}) - y.at({i, j}) * total));
  }
}
