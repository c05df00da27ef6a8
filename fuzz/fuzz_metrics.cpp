// The text side of `ember score` and `translate --detokenize` on arbitrary UTF-8: the input,
// split at its first newline into a hypothesis and a reference, is scored by every metric with
// every BLEU tokenizer, every TER option and ROUGE with and without stemming, and detokenized in
// each language. Checked beyond "no crash": every score is finite and BLEU, chrF and ROUGE lie in
// [0, 100]; a hypothesis equal to its reference has TER 0; a detokenized line has single spaces and
// none at either end.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ember/core/utf8.h"
#include "ember/seq2seq/data/detokenizer.h"
#include "ember/seq2seq/metrics/scorer.h"

namespace {

using namespace ember::seq2seq;

void score_all(const std::string& hyp, const std::string& ref, const MetricOptions& options) {
  for (const char* name : {"bleu", "chrf", "ter", "rouge"}) {
    for (const auto& metric : make_metrics(name, options)) {
      const auto stats = corpus_stats(*metric, {hyp}, {{ref}});
      const double score = metric->score(sum_stats(stats), 1).score;
      if (!std::isfinite(score)) __builtin_trap();
      // [0, 100] up to rounding: a perfect BLEU is exp(log(...)) and may come out 1e-14 above.
      if (std::string(name) != "ter" && (score < -1e-9 || score > 100.0 + 1e-9)) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!ember::core::is_valid_utf8(text)) return 0;  // read_lines refuses it before any metric
  const size_t newline = text.find('\n');
  const std::string hyp = text.substr(0, newline);
  const std::string ref = newline == std::string::npos ? hyp : text.substr(newline + 1);
  if (ref.find('\n') != std::string::npos) return 0;  // one line each, as read_lines gives them
  for (const std::string& tokenizer : bleu_tokenizer_names()) {
    MetricOptions options;
    options.bleu.tokenize = bleu_tokenizer_from_name(tokenizer);
    options.chrf.word_order = tokenizer == "13a" ? 2 : 0;
    options.ter.normalized = tokenizer == "intl";
    options.ter.no_punct = tokenizer == "char";
    options.ter.asian_support = tokenizer == "zh";
    options.ter.case_sensitive = tokenizer == "none";
    options.rouge.use_stemmer = tokenizer == "13a" || tokenizer == "char";
    score_all(hyp, ref, options);
  }
  MetricOptions plain;
  for (const auto& ter : make_metrics("ter", plain)) {
    if (ter->score(sum_stats(corpus_stats(*ter, {hyp}, {{hyp}})), 1).score != 0.0 &&
        !hyp.empty())
      __builtin_trap();
  }
  for (auto language : {DetokenizerLanguage::kEnglish, DetokenizerLanguage::kGerman,
                        DetokenizerLanguage::kFrench}) {
    const std::string line = detokenize(hyp, language);
    if (!line.empty() && (line.front() == ' ' || line.back() == ' ')) __builtin_trap();
    if (line.find("  ") != std::string::npos) __builtin_trap();
  }
  return 0;
}
