// Bootstrap resampling over segments for corpus metrics, as sacreBLEU 2.x does it
// (sacrebleu/significance.py; Koehn 2004, "Statistical significance tests for machine
// translation evaluation"): a resample draws as many segments as the test set has, uniformly with
// replacement; the metric is computed from the sum of the drawn segments' sufficient statistics.
//
//   confidence interval: the mean of the resampled scores and half the width of their central
//     95%: sorted scores s_0..s_{n-1}, lo = n / 40 (integer division), hi = n - lo - 1,
//     ci = (s_hi - s_lo) / 2
//   paired test (Moses' bootstrap-hypothesis-difference-significance.pl): baseline and system are
//     scored on the same resamples; with d_k = |sys_k - base_k| and D = |sys - base| on the whole
//     set, p = (#{k : d_k - mean(d) > D} + 1) / (n + 1)
//
// The draws come from core::Generator (counter-based, seeded), not numpy's PCG64: the method and
// the seed's role are sacreBLEU's, the resamples themselves are not bit-for-bit numpy's, so the
// mean, interval and p-value agree with sacreBLEU's within resampling noise, not to the digit.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace ember::seq2seq {

// Per-segment sufficient statistics (rows of equal length) and the metric of their sum.
using SegmentStats = std::vector<std::vector<double>>;
using ScoreOfStats = std::function<double(const std::vector<double>& summed)>;

// The metric on each of n_samples resamples of the segments. The same seed draws the same
// resamples whatever the statistics, so systems scored with one seed are paired.
std::vector<double> bootstrap_scores(const SegmentStats& stats, const ScoreOfStats& score,
                                     int64_t n_samples, uint64_t seed);

struct MeanAndInterval {
  double mean = 0.0;
  double ci = 0.0;  // half width of the central 95% of the resampled scores
};
MeanAndInterval estimate_ci(std::vector<double> scores);

// The paired bootstrap p-value of a system against the baseline, from their scores on the same
// resamples and the absolute difference of their actual scores.
double paired_bootstrap_p_value(const std::vector<double>& baseline_scores,
                                const std::vector<double>& system_scores, double actual_difference);

}  // namespace ember::seq2seq
