#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/core/reduce.h"
#include "ember/core/softmax.h"

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

// The masked kernel against its formula in double: softmax(scale * x) over the unmasked elements
// of each lane, exactly 0 on the masked ones. Lane lengths 5 and 37 run the kernel's tail loop
// alone and with its blocks of eight; the mask broadcasts over the middle dim.
TEST_CASE("masked_softmax_ equals softmax(scale * x) over the unmasked elements") {
  Generator gen(6);
  for (int64_t n : {5, 37}) {
    CAPTURE(n);
    const NDArray x = gen.normal({2, 3, n});
    NDArray mask = NDArray::zeros({2, 1, n});
    for (int64_t j = 0; j < n; j += 3) mask.data()[j] = 1.0f;  // lane 0: every third
    mask.data()[n + n - 1] = 1.0f;                             // lane 1: the last
    NDArray y = x.clone();
    masked_softmax_(y, mask, 0.5f);
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t t = 0; t < 3; ++t) {
        double total = 0.0;
        for (int64_t j = 0; j < n; ++j)
          if (mask.at({b, 0, j}) == 0.0f) total += std::exp(0.5 * x.at({b, t, j}));
        for (int64_t j = 0; j < n; ++j) {
          const double want =
              mask.at({b, 0, j}) != 0.0f ? 0.0 : std::exp(0.5 * x.at({b, t, j})) / total;
          CHECK(y.at({b, t, j}) == doctest::Approx(want).epsilon(1e-5));
        }
      }
  }
  NDArray all = gen.normal({1, 4});
  masked_softmax_(all, NDArray::ones({4}), 1.0f);
  for (float v : all.to_vector()) CHECK(std::isnan(v));
  CHECK_THROWS_WITH_AS(masked_softmax_(gen.normal({2, 3}), NDArray::zeros({2, 2}), 1.0f),
                       doctest::Contains("[masked_softmax] mask (2, 2) does not broadcast to "
                                         "scores (2, 3)"),
                       ember::Error);
}

TEST_CASE("without a mask the masked kernel is softmax, and its backward scales") {
  Generator gen(8);
  const NDArray x = gen.normal({3, 19}), dy = gen.normal({3, 19});
  NDArray y = x.clone();
  masked_softmax_(y, NDArray(), 1.0f);
  CHECK(y.to_vector() == softmax(x, 1).to_vector());
  const NDArray dx = softmax_backward(y, dy, -1, 0.25f), dx1 = softmax_backward(y, dy, -1);
  const std::vector<float> a = dx.to_vector(), b = dx1.to_vector();
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(0.25f * b[i]));
}

TEST_CASE("exp_shifted_lane and log_sum_exp_lane agree with log_softmax") {
  Generator gen(9);
  const NDArray x = gen.normal({37});
  std::vector<float> e = x.to_vector();
  const ExpSum s = exp_shifted_lane(e.data(), 37);
  const float lse = log_sum_exp_lane(x.data(), 37);
  CHECK(s.max == *std::max_element(x.data(), x.data() + 37));
  CHECK(lse == s.max + static_cast<float>(std::log(s.sum)));
  const NDArray ly = log_softmax(x, 0);
  for (int64_t j = 0; j < 37; ++j) {
    CHECK(e[static_cast<size_t>(j)] == doctest::Approx(std::exp(x.at({j}) - s.max)));
    CHECK(ly.at({j}) == doctest::Approx(x.at({j}) - lse));
  }
}
