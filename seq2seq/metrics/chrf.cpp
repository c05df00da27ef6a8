// chrF / chrF++ as sacreBLEU 2.x computes them (sacrebleu/metrics/chrf.py, helpers.py),
// reimplemented. Characters are Unicode code points, whitespace is Python's str.split() notion.
#include "ember/seq2seq/metrics/chrf.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include "ember/core/error.h"
#include "ember/core/utf8.h"
#include "ember/seq2seq/metrics/python_text.h"
#include "ember/seq2seq/metrics/signature.h"

namespace ember::seq2seq {
namespace {

using Counts = std::unordered_map<std::string, int64_t>;

constexpr std::string_view kPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

bool is_punctuation(char c) { return kPunctuation.find(c) != std::string_view::npos; }

// Character n-gram counts of orders 1..order, after removing whitespace unless it is kept.
std::vector<Counts> char_ngrams(std::string_view line, int order, bool whitespace) {
  const std::string text = whitespace ? std::string(line) : python_text::remove_whitespace(line);
  std::vector<size_t> starts;  // byte offset of every code point, then the end
  size_t offset = 0;
  for (std::string_view piece : core::split_code_points(text)) {
    starts.push_back(offset);
    offset += piece.size();
  }
  starts.push_back(offset);
  const size_t length = starts.size() - 1;
  std::vector<Counts> counts(order);
  for (int n = 1; n <= order; ++n)
    for (size_t i = 0; i + n <= length; ++i)
      ++counts[n - 1][text.substr(starts[i], starts[i + n] - starts[i])];
  return counts;
}

// Words with one leading or trailing punctuation mark split off (sacreBLEU's
// _remove_punctuation, after chrF++.py): "word." -> "word", "."; "(hi)" -> "(hi", ")".
std::vector<std::string_view> split_punctuation(std::string_view line) {
  std::vector<std::string_view> words;
  for (std::string_view w : python_text::split(line)) {
    // A one-character word stays whole; a multi-byte character is never ASCII punctuation.
    if (w.size() > 1 && is_punctuation(w.back())) {
      words.push_back(w.substr(0, w.size() - 1));
      words.push_back(w.substr(w.size() - 1));
    } else if (w.size() > 1 && is_punctuation(w.front())) {
      words.push_back(w.substr(0, 1));
      words.push_back(w.substr(1));
    } else {
      words.push_back(w);
    }
  }
  return words;
}

// Character n-grams of orders 1..char_order, then word n-grams of orders 1..word_order.
std::vector<Counts> all_ngrams(std::string_view line, const ChrfOptions& options) {
  std::vector<Counts> counts = char_ngrams(line, options.char_order, options.whitespace);
  if (options.word_order == 0) return counts;
  const std::vector<std::string_view> words = split_punctuation(line);
  for (int n = 1; n <= options.word_order; ++n) {
    Counts& order_counts = counts.emplace_back();
    for (size_t i = 0; i + n <= words.size(); ++i) {
      std::string ngram(words[i]);
      for (size_t k = i + 1; k < i + n; ++k) ngram.append(" ").append(words[k]);
      ++order_counts[ngram];
    }
  }
  return counts;
}

// [hypothesis n-grams, reference n-grams, matches] per order; the hypothesis count is 0 for an
// order the reference has no n-grams of.
std::vector<int64_t> match_stats(const std::vector<Counts>& hyp, const std::vector<Counts>& ref) {
  std::vector<int64_t> stats;
  for (size_t n = 0; n < hyp.size(); ++n) {
    int64_t hyp_count = 0, ref_count = 0, matches = 0;
    for (const auto& [ngram, count] : hyp[n]) {
      hyp_count += count;
      const auto it = ref[n].find(ngram);
      if (it != ref[n].end()) matches += std::min(count, it->second);
    }
    for (const auto& entry : ref[n]) ref_count += entry.second;
    stats.insert(stats.end(), {ref[n].empty() ? 0 : hyp_count, ref_count, matches});
  }
  return stats;
}

}  // namespace

double chrf_from_stats(const std::vector<int64_t>& stats, const ChrfOptions& options) {
  constexpr double kEps = 1e-16;
  const double factor = static_cast<double>(options.beta) * options.beta;
  const size_t orders = stats.size() / 3;
  double eps_sum = 0.0, avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (size_t i = 0; i < orders; ++i) {
    const auto n_hyp = static_cast<double>(stats[3 * i]);
    const auto n_ref = static_cast<double>(stats[3 * i + 1]);
    const auto n_match = static_cast<double>(stats[3 * i + 2]);
    const double prec = n_hyp > 0 ? n_match / n_hyp : kEps;
    const double rec = n_ref > 0 ? n_match / n_ref : kEps;
    const double denom = factor * prec + rec;
    eps_sum += denom > 0 ? (1 + factor) * prec * rec / denom : kEps;
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += prec;
      avg_rec += rec;
      ++effective_order;
    }
  }
  if (options.eps_smoothing) return 100.0 * eps_sum / static_cast<double>(orders);
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0.0) return 0.0;
  return 100.0 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec);
}

std::vector<int64_t> chrf_segment_stats(const std::string& hypothesis,
                                        const std::vector<const std::string*>& references,
                                        const ChrfOptions& options) {
  const auto prepare = [&](const std::string& s) {
    return options.lowercase ? python_text::lower(s) : s;
  };
  const std::vector<Counts> hyp = all_ngrams(prepare(hypothesis), options);
  std::vector<int64_t> best;
  double best_score = -1.0;
  for (const std::string* reference : references) {
    std::vector<int64_t> stats = match_stats(hyp, all_ngrams(prepare(*reference), options));
    const double score = chrf_from_stats(stats, options);
    if (score > best_score) {
      best_score = score;
      best = std::move(stats);
    }
  }
  return best;
}

std::string chrf_name(const ChrfOptions& options) {
  return fmt::format("chrF{}{}", options.beta, std::string(options.word_order, '+'));
}

std::string chrf_signature_fields(const ChrfOptions& options) {
  return fmt::format("case:{}|eff:{}|nc:{}|nw:{}|space:{}", options.lowercase ? "lc" : "mixed",
                     options.eps_smoothing ? "no" : "yes", options.char_order, options.word_order,
                     options.whitespace ? "yes" : "no");
}

namespace {

void check_inputs(const std::vector<std::string>& hypotheses,
                  const std::vector<std::vector<std::string>>& references,
                  const ChrfOptions& options) {
  EMBER_CHECK(options.char_order >= 0 && options.word_order >= 0 &&
                  options.char_order + options.word_order >= 1 && options.beta >= 0,
              "[chrf] invalid options: char_order {}, word_order {}, beta {}", options.char_order,
              options.word_order, options.beta);
  EMBER_CHECK(!hypotheses.empty(), "[chrf] no hypotheses to score");
  EMBER_CHECK(!references.empty(), "[chrf] no reference streams for {} hypotheses",
              hypotheses.size());
  for (size_t k = 0; k < references.size(); ++k)
    EMBER_CHECK(references[k].size() == hypotheses.size(),
                "[chrf] reference stream {} has {} segments but there are {} hypotheses", k,
                references[k].size(), hypotheses.size());
}

}  // namespace

ChrfScore corpus_chrf(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& references,
                      const ChrfOptions& options) {
  check_inputs(hypotheses, references, options);
  ChrfScore result;
  result.stats.assign(3 * (options.char_order + options.word_order), 0);
  std::set<size_t> ref_counts;
  std::vector<const std::string*> segment_refs;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    segment_refs.clear();
    for (const auto& stream : references)
      if (!stream[i].empty()) segment_refs.push_back(&stream[i]);
    EMBER_CHECK(!segment_refs.empty(), "[chrf] segment {} has only empty references", i);
    ref_counts.insert(segment_refs.size());
    const std::vector<int64_t> stats = chrf_segment_stats(hypotheses[i], segment_refs, options);
    for (size_t k = 0; k < stats.size(); ++k) result.stats[k] += stats[k];
  }
  result.score = chrf_from_stats(result.stats, options);
  result.name = chrf_name(options);
  const std::string nrefs =
      ref_counts.size() == 1 ? std::to_string(*ref_counts.begin()) : std::string("var");
  result.signature = make_signature(nrefs, chrf_signature_fields(options));
  return result;
}

ChrfScore sentence_chrf(const std::string& hypothesis, const std::vector<std::string>& references,
                        const ChrfOptions& options) {
  std::vector<std::vector<std::string>> streams;
  for (const std::string& reference : references) streams.push_back({reference});
  return corpus_chrf({hypothesis}, streams, options);
}

std::string ChrfScore::format() const {
  return fmt::format("{}{}{} = {:.2f}", name, signature.empty() ? "" : "|", signature, score);
}

}  // namespace ember::seq2seq
