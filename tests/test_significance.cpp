// Bootstrap resampling and the paired bootstrap test (significance.h) on cases computed by hand
// from sacreBLEU's formulas (sacrebleu/significance.py: estimate_ci, _compute_p_value). Agreement
// with sacreBLEU's own resamples on real metrics is checked through the program
// (test_cli_score.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/significance.h"

using namespace ember::seq2seq;

namespace {

double first_share(const std::vector<double>& summed) {
  return summed[0] / (summed[0] + summed[1]);
}

}  // namespace

TEST_CASE("the interval is half the spread of the central 95%, around the mean") {
  std::vector<double> scores;
  for (int k = 99; k >= 0; --k) scores.push_back(k);  // unsorted on purpose
  // n = 100: lower index 100 // 40 = 2, upper 100 - 2 - 1 = 97: (97 - 2) / 2.
  const MeanAndInterval est = estimate_ci(scores);
  CHECK(est.mean == doctest::Approx(49.5));
  CHECK(est.ci == doctest::Approx(47.5));
  // n = 1000 (the default): lower index 25, upper 974.
  std::vector<double> many;
  for (int k = 0; k < 1000; ++k) many.push_back(k);
  CHECK(estimate_ci(many).ci == doctest::Approx(474.5));
  CHECK_THROWS_AS(estimate_ci({}), ember::Error);
}

TEST_CASE("the paired p-value counts centred differences beyond the actual one, plus one") {
  // |sys - base| = 1, 1, 1, 5 (mean 2), centred -1, -1, -1, 3; one exceeds 2: (1 + 1) / (4 + 1).
  CHECK(paired_bootstrap_p_value({0, 0, 0, 0}, {1, 1, 1, 5}, 2.0) == doctest::Approx(0.4));
  // None exceeds 3: 1 / 5, the smallest p-value 4 resamples can give.
  CHECK(paired_bootstrap_p_value({0, 0, 0, 0}, {1, 1, 1, 5}, 3.0) == doctest::Approx(0.2));
  // Signs do not matter, only absolute differences.
  CHECK(paired_bootstrap_p_value({1, 1, 1, 5}, {0, 0, 0, 0}, 2.0) == doctest::Approx(0.4));
  CHECK_THROWS_AS(paired_bootstrap_p_value({0}, {0, 1}, 0.0), ember::Error);
}

TEST_CASE("resamples draw segments uniformly with replacement, the same ones for the same seed") {
  // Two kinds of segment, half each: a resample's share of the first kind averages 1/2 with a
  // standard deviation of sqrt(1/4 / 200) per resample.
  std::vector<std::vector<double>> stats;
  for (int i = 0; i < 200; ++i)
    stats.push_back(i % 2 == 0 ? std::vector<double>{1, 0} : std::vector<double>{0, 1});
  const std::vector<double> a = bootstrap_scores(stats, first_share, 1000, 12345);
  REQUIRE(a.size() == 1000);
  const MeanAndInterval est = estimate_ci(a);
  CHECK(std::abs(est.mean - 0.5) < 5 * std::sqrt(0.25 / 200 / 1000));
  // The central 95% of a share with sd 0.0354 spans about +-1.96 sd.
  CHECK(est.ci == doctest::Approx(1.96 * std::sqrt(0.25 / 200)).epsilon(0.15));
  bool varies = false;
  for (double s : a) varies = varies || s != a[0];
  CHECK(varies);  // with replacement: shares other than exactly 1/2 occur
  CHECK(bootstrap_scores(stats, first_share, 1000, 12345) == a);
  CHECK(bootstrap_scores(stats, first_share, 1000, 54321) != a);
  // A one-segment set resamples to itself.
  for (double s : bootstrap_scores({{3, 1}}, first_share, 50, 1)) CHECK(s == 0.75);
}

TEST_CASE("bootstrap refuses what it cannot resample") {
  CHECK_THROWS_AS(bootstrap_scores({}, first_share, 10, 1), ember::Error);
  CHECK_THROWS_AS(bootstrap_scores({{1, 0}}, first_share, 0, 1), ember::Error);
  CHECK_THROWS_AS(bootstrap_scores({{1, 0}, {1}}, first_share, 10, 1), ember::Error);
}
