#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ember/ember.h"
#include "ember/layers/init.h"

using namespace ember;
namespace init = ember::nn::init;

namespace {

struct Stats {
  double mean, stddev, min, max;
};

Stats stats_of(const Tensor& t) {
  const std::vector<float> v = t.to_vector();
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double sq = 0.0;
  for (float x : v) sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sq / n), *std::min_element(v.begin(), v.end()),
          *std::max_element(v.begin(), v.end())};
}

}  // namespace

TEST_CASE("uniform_ fills U(-bound, bound): range, mean and the variance bound^2 / 3") {
  Tensor t = Tensor::zeros({200, 100});
  init::uniform_(t, 0.5f);
  const Stats s = stats_of(t);
  CHECK(s.min >= -0.5);
  CHECK(s.max < 0.5);
  CHECK(s.min < -0.49);
  CHECK(s.max > 0.49);
  CHECK(std::abs(s.mean) < 0.01);
  CHECK(s.stddev == doctest::Approx(0.5 / std::sqrt(3.0)).epsilon(0.02));
}

TEST_CASE("normal_ fills N(mean, std^2)") {
  Tensor t = Tensor::zeros({100, 200});
  init::normal_(t, 2.0f, 0.5f);
  const Stats s = stats_of(t);
  CHECK(s.mean == doctest::Approx(2.0).epsilon(0.01));
  CHECK(s.stddev == doctest::Approx(0.5).epsilon(0.02));
}

TEST_CASE("zeros_ and ones_ write through views of a parameter") {
  Tensor t = Tensor::full({2, 3}, 7.0f, true);
  init::zeros_(t);
  CHECK(t.to_vector() == std::vector<float>(6, 0.0f));
  init::ones_(t);
  CHECK(t.to_vector() == std::vector<float>(6, 1.0f));
  CHECK(t.requires_grad());
}

TEST_CASE("draws come from the generator passed in, so a seed reproduces them") {
  core::Generator a(11), b(11);
  Tensor x = Tensor::zeros({4, 5}), y = Tensor::zeros({4, 5});
  init::uniform_(x, 1.0f, a);
  init::uniform_(y, 1.0f, b);
  CHECK(x.to_vector() == y.to_vector());
  init::normal_(x, 0.0f, 1.0f, a);
  CHECK(x.to_vector() != y.to_vector());
}

TEST_CASE("fan_in is the input size times the receptive field, as torch computes it") {
  CHECK(init::fan_in({5, 8}) == 8);
  CHECK(init::fan_in({4, 3, 5}) == 15);
  CHECK(init::fan_in({7}) == 7);
  CHECK_THROWS_WITH_AS(init::fan_in({}), doctest::Contains("[init] fan_in needs at least one dim"),
                       ember::Error);
}

TEST_CASE("kaiming_uniform_ with a = sqrt 5 gives torch's Linear bound 1/sqrt(fan_in)") {
  Tensor w = Tensor::zeros({300, 64});
  init::kaiming_uniform_(w, std::sqrt(5.0f));
  const Stats s = stats_of(w);
  const double bound = 1.0 / 8.0;
  CHECK(s.max < bound);
  CHECK(s.min >= -bound);
  CHECK(s.max > 0.98 * bound);
  CHECK(s.min < -0.98 * bound);
}

TEST_CASE("kaiming_uniform_ with a = 0 uses the ReLU gain sqrt 2: bound sqrt(6 / fan_in)") {
  Tensor w = Tensor::zeros({100, 6, 4});
  init::kaiming_uniform_(w);
  const Stats s = stats_of(w);
  const double bound = std::sqrt(6.0 / 24.0);
  CHECK(s.max < bound);
  CHECK(s.max > 0.98 * bound);
  CHECK(s.stddev == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.03));
}

TEST_CASE("bias_bound is 1/sqrt(fan_in), 0 for an empty fan-in") {
  CHECK(init::bias_bound(16) == doctest::Approx(0.25f));
  CHECK(init::bias_bound(0) == 0.0f);
}

TEST_CASE("init helpers refuse bad arguments naming [init] and the shape") {
  Tensor t = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(init::uniform_(t, -1.0f), doctest::Contains("[init] uniform_ bound"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(init::normal_(t, 0.0f, -1.0f), doctest::Contains("(2, 3)"), ember::Error);
  Tensor empty = Tensor::zeros({3, 0});
  CHECK_THROWS_WITH_AS(init::kaiming_uniform_(empty), doctest::Contains("[init] kaiming_uniform_"),
                       ember::Error);
}
