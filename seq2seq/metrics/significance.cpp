// Bootstrap confidence intervals and the paired bootstrap test (sacrebleu/significance.py),
// reimplemented.
#include "ember/seq2seq/metrics/significance.h"

#include <algorithm>
#include <cmath>

#include "ember/core/error.h"
#include "ember/core/random.h"

namespace ember::seq2seq {

std::vector<double> bootstrap_scores(const SegmentStats& stats, const ScoreOfStats& score,
                                     int64_t n_samples, uint64_t seed) {
  EMBER_CHECK(!stats.empty(), "[bootstrap] no segments to resample");
  EMBER_CHECK(n_samples >= 1, "[bootstrap] the number of resamples must be at least 1, got {}",
              n_samples);
  const size_t width = stats[0].size();
  for (const auto& row : stats)
    EMBER_CHECK(row.size() == width, "[bootstrap] segments have {} and {} statistics", width,
                row.size());
  core::Generator generator(seed);
  const auto n = static_cast<int64_t>(stats.size());
  std::vector<double> scores;
  scores.reserve(static_cast<size_t>(n_samples));
  std::vector<double> sum(width);
  for (int64_t k = 0; k < n_samples; ++k) {
    std::fill(sum.begin(), sum.end(), 0.0);
    for (int64_t i = 0; i < n; ++i) {
      const auto& row = stats[static_cast<size_t>(generator.randint(n))];
      for (size_t c = 0; c < width; ++c) sum[c] += row[c];
    }
    scores.push_back(score(sum));
  }
  return scores;
}

MeanAndInterval estimate_ci(std::vector<double> scores) {
  EMBER_CHECK(!scores.empty(), "[bootstrap] no scores to estimate an interval from");
  std::sort(scores.begin(), scores.end());
  const size_t n = scores.size();
  const size_t lower = n / 40;  // 2.5% from each end
  const size_t upper = n - lower - 1;
  double total = 0.0;
  for (double s : scores) total += s;
  return {total / static_cast<double>(n), 0.5 * (scores[upper] - scores[lower])};
}

double paired_bootstrap_p_value(const std::vector<double>& baseline_scores,
                                const std::vector<double>& system_scores,
                                double actual_difference) {
  EMBER_CHECK(!system_scores.empty() && baseline_scores.size() == system_scores.size(),
              "[bootstrap] {} baseline and {} system resample scores", baseline_scores.size(),
              system_scores.size());
  const size_t n = system_scores.size();
  std::vector<double> diffs(n);
  double mean = 0.0;
  for (size_t k = 0; k < n; ++k) {
    diffs[k] = std::abs(system_scores[k] - baseline_scores[k]);
    mean += diffs[k];
  }
  mean /= static_cast<double>(n);
  // Centred differences exceeding the actual one; "+1" keeps the test's false rejection rate at
  // most its level (multeval's StratifiedApproximateRandomizationTest, as sacreBLEU cites).
  int64_t count = 0;
  for (double d : diffs) count += (d - mean) > actual_difference;
  return static_cast<double>(count + 1) / static_cast<double>(n + 1);
}

}  // namespace ember::seq2seq
