// The metrics behind `ember score` (scorer.h): summed segment statistics give the corpus scores of
// bleu.h, chrf.h and rouge.h, an empty reference line is a reference, and ROUGE keeps the best
// reference per segment as rouge-score's score_multi does.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/rouge.h"
#include "ember/seq2seq/metrics/scorer.h"

using namespace ember::seq2seq;

namespace {

// sacreBLEU's README example (also in test_bleu.cpp).
const std::vector<std::string> kHyps = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
const std::vector<std::vector<std::string>> kRefs = {
    {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

MetricResult corpus(const SegmentMetric& metric, const std::vector<std::string>& hyps,
                    const std::vector<std::vector<std::string>>& refs) {
  return metric.score(sum_stats(corpus_stats(metric, hyps, refs)), hyps.size());
}

}  // namespace

TEST_CASE("summed statistics give the corpus BLEU and chrF of the metric files") {
  const MetricOptions options;
  const auto bleu = make_metrics("bleu", options);
  REQUIRE(bleu.size() == 1);
  const MetricResult b = corpus(*bleu[0], kHyps, kRefs);
  const BleuScore reference = corpus_bleu(kHyps, kRefs);
  CHECK(b.score == reference.score);
  CHECK(b.details == reference.details());
  CHECK(bleu[0]->name() == "BLEU");
  CHECK(bleu[0]->signature_fields() == "case:mixed|eff:no|tok:13a|smooth:exp");
  const auto chrf = make_metrics("chrf", {.chrf = {.word_order = 2}});
  CHECK(chrf[0]->name() == "chrF2++");
  CHECK(corpus(*chrf[0], kHyps, kRefs).score == corpus_chrf(kHyps, kRefs, {.word_order = 2}).score);
}

TEST_CASE("an empty reference line is an empty reference, not a missing one") {
  const auto bleu = make_metrics("bleu", {});
  // Against "" and "a b": the closest reference length to 2 words is 2, so no brevity penalty;
  // against "a b" alone the same. An empty reference adds nothing to the n-gram counts.
  const std::vector<double> with_empty = bleu[0]->segment_stats("a b", {"", "a b"});
  CHECK(with_empty == bleu[0]->segment_stats("a b", {"a b"}));
  // Alone, it is a reference of length 0.
  const std::vector<double> only_empty = bleu[0]->segment_stats("a b", {""});
  CHECK(only_empty[0] == 2.0);
  CHECK(only_empty[1] == 0.0);
  const auto ter = make_metrics("ter", {});
  CHECK(ter[0]->segment_stats("a b", {""}) == std::vector<double>{2.0, 0.0});
}

TEST_CASE("ROUGE: three metrics, the best reference per segment, the mean over segments") {
  const auto rouge = make_metrics("rouge", {});
  REQUIRE(rouge.size() == 3);
  CHECK(rouge[0]->name() == "ROUGE-1");
  CHECK(rouge[1]->name() == "ROUGE-2");
  CHECK(rouge[2]->name() == "ROUGE-L");
  const std::string hyp = "the cat sat on the mat";
  const std::string far = "a dog ran", near = "the cat sat on a mat";
  const double best_f = rouge_scores(hyp, near).rouge1.fmeasure;
  CHECK(rouge[0]->segment_stats(hyp, {far, near})[2] == best_f);
  CHECK(rouge[0]->segment_stats(hyp, {near, far})[2] == best_f);
  const RougeCorpusScores mean = corpus_rouge({hyp, "hello"}, {near, "hello world"});
  const MetricResult r = corpus(*rouge[2], {hyp, "hello"}, {{near, "hello world"}});
  CHECK(r.score == doctest::Approx(100.0 * mean.mean.rouge_l.fmeasure));
}

TEST_CASE("unknown metric names and mismatched streams are refused") {
  CHECK_THROWS_WITH_AS(make_metrics("meteor", {}), doctest::Contains("unknown metric 'meteor'"),
                       ember::Error);
  const auto bleu = make_metrics("bleu", {});
  CHECK_THROWS_AS(corpus_stats(*bleu[0], kHyps, {{"a"}}), ember::Error);
  CHECK_THROWS_AS(corpus_stats(*bleu[0], kHyps, {}), ember::Error);
}
