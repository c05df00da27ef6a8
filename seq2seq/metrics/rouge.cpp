// ROUGE as rouge-score computes it (rouge/rouge_scorer.py, tokenize.py, scoring.py),
// reimplemented.
#include "ember/seq2seq/metrics/rouge.h"

#include <algorithm>
#include <map>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/porter_stemmer.h"

namespace ember::seq2seq {
namespace {

double fmeasure(double precision, double recall) {
  return precision + recall > 0.0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
}

std::map<std::vector<std::string>, int> count_ngrams(const std::vector<std::string>& tokens,
                                                     int n) {
  std::map<std::vector<std::string>, int> counts;
  for (size_t i = 0; i + n <= tokens.size(); ++i)
    ++counts[std::vector<std::string>(tokens.begin() + i, tokens.begin() + i + n)];
  return counts;
}

// Length of the longest common subsequence, two rows of the usual dynamic programme.
size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<size_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j)
      current[j] =
          a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

void add(RougeScore& sum, const RougeScore& score) {
  sum.precision += score.precision;
  sum.recall += score.recall;
  sum.fmeasure += score.fmeasure;
}

void divide(RougeScore& sum, double count) {
  sum.precision /= count;
  sum.recall /= count;
  sum.fmeasure /= count;
}

}  // namespace

std::vector<std::string> rouge_tokenize(std::string_view text, const RougeOptions& options) {
  // text.lower(), then re.sub(r"[^a-z0-9]+", " ", ...): the only non-ASCII characters whose
  // lowercase holds an ASCII letter are U+0130 (-> "i" + U+0307) and U+212A KELVIN SIGN (-> "k").
  std::vector<std::string> tokens;
  std::string current;
  const auto flush = [&] {
    // rouge-score stems only tokens longer than 3 characters ("news" is stemmed, "was" is not).
    if (options.use_stemmer && current.size() > 3) current = porter_stem(current);
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= 'A' && c <= 'Z') {
      current.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      current.push_back(c);
    } else if (text.substr(i, 2) == "\xC4\xB0") {
      current.push_back('i');
      flush();  // the combining dot above separates
      i += 1;
    } else if (text.substr(i, 3) == "\xE2\x84\xAA") {
      current.push_back('k');
      i += 2;
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

RougeScore rouge_n(const std::vector<std::string>& prediction,
                   const std::vector<std::string>& reference, int n) {
  EMBER_CHECK(n >= 1, "[rouge] ROUGE-N needs n >= 1, got {}", n);
  const auto pred_counts = count_ngrams(prediction, n);
  const auto ref_counts = count_ngrams(reference, n);
  int overlap = 0, pred_total = 0, ref_total = 0;
  for (const auto& [ngram, count] : ref_counts) {
    ref_total += count;
    const auto it = pred_counts.find(ngram);
    if (it != pred_counts.end()) overlap += std::min(count, it->second);
  }
  for (const auto& entry : pred_counts) pred_total += entry.second;
  RougeScore score;
  score.precision = static_cast<double>(overlap) / std::max(pred_total, 1);
  score.recall = static_cast<double>(overlap) / std::max(ref_total, 1);
  score.fmeasure = fmeasure(score.precision, score.recall);
  return score;
}

RougeScore rouge_l(const std::vector<std::string>& prediction,
                   const std::vector<std::string>& reference) {
  RougeScore score;
  if (prediction.empty() || reference.empty()) return score;
  const auto lcs = static_cast<double>(lcs_length(reference, prediction));
  score.precision = lcs / static_cast<double>(prediction.size());
  score.recall = lcs / static_cast<double>(reference.size());
  score.fmeasure = fmeasure(score.precision, score.recall);
  return score;
}

RougeScores rouge_scores(std::string_view prediction, std::string_view reference,
                         const RougeOptions& options) {
  const std::vector<std::string> pred_tokens = rouge_tokenize(prediction, options);
  const std::vector<std::string> ref_tokens = rouge_tokenize(reference, options);
  return {rouge_n(pred_tokens, ref_tokens, 1), rouge_n(pred_tokens, ref_tokens, 2),
          rouge_l(pred_tokens, ref_tokens)};
}

RougeCorpusScores corpus_rouge(const std::vector<std::string>& predictions,
                               const std::vector<std::string>& references,
                               const RougeOptions& options) {
  EMBER_CHECK(predictions.size() == references.size(), "[rouge] {} predictions but {} references",
              predictions.size(), references.size());
  EMBER_CHECK(!predictions.empty(), "[rouge] no predictions to score");
  RougeCorpusScores result;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const RougeScores scores = rouge_scores(predictions[i], references[i], options);
    add(result.mean.rouge1, scores.rouge1);
    add(result.mean.rouge2, scores.rouge2);
    add(result.mean.rouge_l, scores.rouge_l);
    result.per_example.push_back(scores);
  }
  const auto count = static_cast<double>(predictions.size());
  divide(result.mean.rouge1, count);
  divide(result.mean.rouge2, count);
  divide(result.mean.rouge_l, count);
  return result;
}

}  // namespace ember::seq2seq
