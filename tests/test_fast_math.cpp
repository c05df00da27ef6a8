#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ember/core/fast_math.h"

using namespace ember::core;

TEST_CASE("fast_exp is within a few ulp of exp over the whole float range") {
  double worst = 0.0;
  for (float x = -87.0f; x < 88.3f; x += 0.00371f) {
    const double want = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(fast_exp(x) - want) / want);
  }
  CHECK(worst < 5e-7);
  CHECK(fast_exp(0.0f) == 1.0f);
  CHECK(fast_exp(-200.0f) == 0.0f);
  CHECK(fast_exp(-std::numeric_limits<float>::infinity()) == 0.0f);
  CHECK(std::isfinite(fast_exp(200.0f)));
}

TEST_CASE("fast_tanh and fast_sigmoid agree with the exact functions") {
  double worst_tanh = 0.0, worst_sigmoid = 0.0;
  for (float x = -20.0f; x < 20.0f; x += 0.00173f) {
    worst_tanh = std::max(worst_tanh, std::abs(fast_tanh(x) - std::tanh(static_cast<double>(x))));
    const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
    worst_sigmoid = std::max(worst_sigmoid, std::abs(fast_sigmoid(x) - s));
  }
  CHECK(worst_tanh < 5e-7);
  CHECK(worst_sigmoid < 5e-7);
  CHECK(fast_tanh(0.0f) == 0.0f);
  CHECK(fast_tanh(-1e-3f) == doctest::Approx(std::tanh(-1e-3)).epsilon(1e-6));
  double worst_relative = 0.0;  // tanh(x) ~ x near 0: the polynomial keeps the relative error small
  for (float x = 1e-6f; x < 1.0f; x *= 1.01f)
    worst_relative = std::max(worst_relative, std::abs(fast_tanh(x) - std::tanh(double{x})) / std::tanh(double{x}));
  CHECK(worst_relative < 3e-7);
}

TEST_CASE("tanh and sigmoid saturate and keep NaN") {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(fast_tanh(inf) == 1.0f);
  CHECK(fast_tanh(-1e30f) == -1.0f);
  CHECK(fast_sigmoid(inf) == 1.0f);
  CHECK(fast_sigmoid(-1e30f) < 1e-37f);
  CHECK(std::isnan(fast_tanh(std::nanf(""))));
  CHECK(std::isnan(fast_sigmoid(std::nanf(""))));
  CHECK(std::isnan(fast_exp(std::nanf(""))));
}
