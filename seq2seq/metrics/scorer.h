// The metrics of `ember score` behind one interface: each turns a segment (a hypothesis and its
// references) into sufficient statistics, and the sum of any segments' statistics into a score,
// so that corpus scores, sentence scores and bootstrap resamples (significance.h) are all the
// same computation. References here follow sacreBLEU's command line: every reference file gives
// each segment one reference, an empty line being an empty reference.
//
//   bleu    BLEU (bleu.h; sentence scores use effective order, as sacreBLEU's --sentence-level)
//   chrf    chrF, chrF++ with word_order 2 (chrf.h)
//   ter     TER (ter.h)
//   rouge   ROUGE-1, ROUGE-2 and ROUGE-L F1, as three metrics (rouge.h), the best reference's
//           scores per segment (rouge-score's score_multi); the corpus score is the mean
// Scores are on sacreBLEU's 0..100 scale (ROUGE too).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/metrics/chrf.h"
#include "ember/seq2seq/metrics/rouge.h"
#include "ember/seq2seq/metrics/ter.h"

namespace ember::seq2seq {

struct MetricResult {
  double score = 0.0;
  std::string details;  // what sacreBLEU prints after the score (BLEU's precisions), or empty
};

class SegmentMetric {
 public:
  virtual ~SegmentMetric() = default;
  virtual std::string name() const = 0;              // "BLEU", "chrF2++", "TER", "ROUGE-L"
  virtual std::string signature_fields() const = 0;  // "case:mixed|eff:no|tok:13a|smooth:exp"
  virtual std::vector<double> segment_stats(const std::string& hypothesis,
                                            const std::vector<std::string>& references) const = 0;
  // The score of statistics summed over n_segments segments.
  virtual MetricResult score(const std::vector<double>& summed, size_t n_segments) const = 0;
};

struct MetricOptions {
  BleuOptions bleu;
  ChrfOptions chrf;
  TerOptions ter;
  RougeOptions rouge;
};

// The metrics a name stands for ("bleu", "chrf", "ter", "rouge": three). Throws "[score]" for
// any other name, listing these.
std::vector<std::unique_ptr<SegmentMetric>> make_metrics(const std::string& name,
                                                         const MetricOptions& options);

// Statistics of every segment: hypotheses[i] against references[k][i] for every k.
std::vector<std::vector<double>> corpus_stats(
    const SegmentMetric& metric, const std::vector<std::string>& hypotheses,
    const std::vector<std::vector<std::string>>& references);

// Element-wise sum of the rows.
std::vector<double> sum_stats(const std::vector<std::vector<double>>& stats);

}  // namespace ember::seq2seq
