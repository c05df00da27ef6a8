// The SegmentMetric adapters of BLEU, chrF, TER and ROUGE.
#include "ember/seq2seq/metrics/scorer.h"

#include <fmt/format.h>

#include "ember/core/error.h"

namespace ember::seq2seq {
namespace {

std::vector<std::string_view> views(const std::vector<std::string>& strings) {
  return {strings.begin(), strings.end()};
}

// Statistics [sys_len, ref_len, correct_1..N, total_1..N].
class BleuMetric : public SegmentMetric {
 public:
  explicit BleuMetric(const BleuOptions& options) : options_(options) {}
  std::string name() const override { return "BLEU"; }
  std::string signature_fields() const override { return bleu_signature_fields(options_); }
  std::vector<double> segment_stats(const std::string& hypothesis,
                                    const std::vector<std::string>& references) const override {
    const BleuStats s = bleu_segment_stats(hypothesis, views(references), options_);
    std::vector<double> row{static_cast<double>(s.sys_len), static_cast<double>(s.ref_len)};
    row.insert(row.end(), s.correct.begin(), s.correct.end());
    row.insert(row.end(), s.total.begin(), s.total.end());
    return row;
  }
  MetricResult score(const std::vector<double>& summed, size_t) const override {
    const auto orders = static_cast<size_t>(options_.max_ngram_order);
    EMBER_CHECK(summed.size() == 2 + 2 * orders, "[bleu] expected {} statistics, got {}",
                2 + 2 * orders, summed.size());
    BleuStats stats;  // sums of counts: whole numbers, exact in a double
    stats.sys_len = static_cast<int64_t>(summed[0]);
    stats.ref_len = static_cast<int64_t>(summed[1]);
    for (size_t n = 0; n < orders; ++n) {
      stats.correct.push_back(static_cast<int64_t>(summed[2 + n]));
      stats.total.push_back(static_cast<int64_t>(summed[2 + orders + n]));
    }
    const BleuScore bleu = compute_bleu(stats, options_);
    return {bleu.score, bleu.details()};
  }

 private:
  BleuOptions options_;
};

// Statistics: 3 per order as in ChrfScore::stats.
class ChrfMetric : public SegmentMetric {
 public:
  explicit ChrfMetric(const ChrfOptions& options) : options_(options) {}
  std::string name() const override { return chrf_name(options_); }
  std::string signature_fields() const override { return chrf_signature_fields(options_); }
  std::vector<double> segment_stats(const std::string& hypothesis,
                                    const std::vector<std::string>& references) const override {
    std::vector<const std::string*> refs;
    for (const std::string& r : references) refs.push_back(&r);
    const std::vector<int64_t> s = chrf_segment_stats(hypothesis, refs, options_);
    return {s.begin(), s.end()};
  }
  MetricResult score(const std::vector<double>& summed, size_t) const override {
    return {chrf_from_stats({summed.begin(), summed.end()}, options_), ""};
  }

 private:
  ChrfOptions options_;
};

class TerMetric : public SegmentMetric {
 public:
  explicit TerMetric(const TerOptions& options) : options_(options) {}
  std::string name() const override { return "TER"; }
  std::string signature_fields() const override { return ter_signature_fields(options_); }
  std::vector<double> segment_stats(const std::string& hypothesis,
                                    const std::vector<std::string>& references) const override {
    return ter_segment_stats(hypothesis, views(references), options_);
  }
  MetricResult score(const std::vector<double>& summed, size_t) const override {
    return {ter_from_stats(summed), ""};
  }

 private:
  TerOptions options_;
};

// Statistics [precision, recall, F] (0..1) of the reference with the best F; the score is the
// mean F over the segments, details the mean precision and recall.
class RougeMetric : public SegmentMetric {
 public:
  RougeMetric(int kind, const RougeOptions& options)  // kind 1, 2, or 0 for ROUGE-L
      : kind_(kind), options_(options) {}
  std::string name() const override {
    return kind_ == 0 ? "ROUGE-L" : fmt::format("ROUGE-{}", kind_);
  }
  std::string signature_fields() const override {
    return options_.use_stemmer ? "case:lc|tok:rouge-score|stem:porter"
                                : "case:lc|tok:rouge-score|stem:no";
  }
  std::vector<double> segment_stats(const std::string& hypothesis,
                                    const std::vector<std::string>& references) const override {
    RougeScore best;
    bool first = true;
    for (const std::string& reference : references) {
      const RougeScores all = rouge_scores(hypothesis, reference, options_);
      const RougeScore& s = kind_ == 1 ? all.rouge1 : kind_ == 2 ? all.rouge2 : all.rouge_l;
      if (first || s.fmeasure > best.fmeasure) best = s;  // the first of equal bests
      first = false;
    }
    return {best.precision, best.recall, best.fmeasure};
  }
  MetricResult score(const std::vector<double>& summed, size_t n_segments) const override {
    EMBER_CHECK(summed.size() == 3 && n_segments > 0, "[rouge] expected 3 statistics, got {}",
                summed.size());
    const double n = static_cast<double>(n_segments);
    return {100.0 * summed[2] / n,
            fmt::format("(P = {:.1f} R = {:.1f})", 100.0 * summed[0] / n, 100.0 * summed[1] / n)};
  }

 private:
  int kind_;
  RougeOptions options_;
};

}  // namespace

std::vector<std::unique_ptr<SegmentMetric>> make_metrics(const std::string& name,
                                                         const MetricOptions& options) {
  std::vector<std::unique_ptr<SegmentMetric>> metrics;
  if (name == "bleu") {
    metrics.push_back(std::make_unique<BleuMetric>(options.bleu));
  } else if (name == "chrf") {
    metrics.push_back(std::make_unique<ChrfMetric>(options.chrf));
  } else if (name == "ter") {
    metrics.push_back(std::make_unique<TerMetric>(options.ter));
  } else if (name == "rouge") {
    for (int kind : {1, 2, 0})
      metrics.push_back(std::make_unique<RougeMetric>(kind, options.rouge));
  } else {
    throw Error(fmt::format("[score] unknown metric '{}' (use bleu, chrf, ter or rouge)", name));
  }
  return metrics;
}

std::vector<std::vector<double>> corpus_stats(
    const SegmentMetric& metric, const std::vector<std::string>& hypotheses,
    const std::vector<std::vector<std::string>>& references) {
  EMBER_CHECK(!references.empty(), "[score] no references");
  std::vector<std::vector<double>> stats;
  stats.reserve(hypotheses.size());
  std::vector<std::string> segment_refs(references.size());
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    for (size_t k = 0; k < references.size(); ++k) {
      EMBER_CHECK(references[k].size() == hypotheses.size(),
                  "[score] reference stream {} has {} segments but there are {} hypotheses", k,
                  references[k].size(), hypotheses.size());
      segment_refs[k] = references[k][i];
    }
    stats.push_back(metric.segment_stats(hypotheses[i], segment_refs));
  }
  return stats;
}

std::vector<double> sum_stats(const std::vector<std::vector<double>>& stats) {
  std::vector<double> sum;
  for (const auto& row : stats) {
    if (sum.empty()) sum.assign(row.size(), 0.0);
    for (size_t c = 0; c < row.size(); ++c) sum[c] += row[c];
  }
  return sum;
}

}  // namespace ember::seq2seq
