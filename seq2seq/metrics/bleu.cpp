// BLEU as sacreBLEU 2.x computes it (sacrebleu/metrics/bleu.py), reimplemented; the tokenizers
// are in bleu_tokenizers.cpp.
#include "ember/seq2seq/metrics/bleu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/python_text.h"
#include "ember/seq2seq/metrics/signature.h"

namespace ember::seq2seq {
namespace {

using NgramCounts = std::vector<std::unordered_map<std::string, int64_t>>;  // per order

std::string join(const std::vector<std::string_view>& words, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out.push_back(' ');
    out.append(words[i]);
  }
  return out;
}

// Counts of every n-gram of orders 1..max_order (sacreBLEU's extract_all_word_ngrams).
NgramCounts count_ngrams(const std::vector<std::string>& tokens, int max_order) {
  NgramCounts counts(max_order);
  const std::vector<std::string_view> views(tokens.begin(), tokens.end());
  for (int n = 1; n <= max_order; ++n)
    for (size_t i = 0; i + n <= views.size(); ++i) ++counts[n - 1][join(views, i, i + n)];
  return counts;
}

// The reference length closest to the hypothesis length; the shorter one on a tie.
int64_t closest_ref_len(int64_t hyp_len, const std::vector<int64_t>& ref_lens) {
  int64_t best_diff = -1, best_len = -1;
  for (int64_t len : ref_lens) {
    const int64_t diff = std::abs(hyp_len - len);
    if (best_diff == -1 || diff < best_diff || (diff == best_diff && len < best_len)) {
      best_diff = diff;
      best_len = len;
    }
  }
  return best_len;
}

// sacreBLEU's my_log: log(0) is -9999999999 rather than -inf.
double my_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

// In the order of BleuSmoothing.
constexpr const char* kSmoothingNames[] = {"exp", "floor", "add-k", "none"};

double default_smooth_value(BleuSmoothing smooth) {
  return smooth == BleuSmoothing::kAddK ? 1.0 : smooth == BleuSmoothing::kFloor ? 0.1 : 0.0;
}

// In the order of BleuTokenizer.
constexpr const char* kTokenizerNames[] = {"13a", "none", "intl", "char", "zh"};

void check_options(const BleuOptions& options) {
  EMBER_CHECK(options.max_ngram_order >= 1, "[bleu] max_ngram_order must be at least 1, got {}",
              options.max_ngram_order);
}

}  // namespace

const char* bleu_tokenizer_name(BleuTokenizer tokenizer) {
  return kTokenizerNames[static_cast<int>(tokenizer)];
}

std::string bleu_signature_fields(const BleuOptions& options) {
  std::string smooth = kSmoothingNames[static_cast<int>(options.smooth)];
  if (options.smooth == BleuSmoothing::kFloor || options.smooth == BleuSmoothing::kAddK)
    smooth += fmt::format("[{:.2f}]",
                          options.smooth_value.value_or(default_smooth_value(options.smooth)));
  return fmt::format("case:{}|eff:{}|tok:{}|smooth:{}", options.lowercase ? "lc" : "mixed",
                     options.effective_order ? "yes" : "no", bleu_tokenizer_name(options.tokenize),
                     smooth);
}

std::vector<std::string> bleu_tokenizer_names() {
  return std::vector<std::string>(std::begin(kTokenizerNames), std::end(kTokenizerNames));
}

BleuTokenizer bleu_tokenizer_from_name(std::string_view name) {
  for (int i = 0; i < 5; ++i)
    if (name == kTokenizerNames[i]) return static_cast<BleuTokenizer>(i);
  throw Error(fmt::format("[bleu] unknown tokenizer '{}' (use 13a, none, intl, char or zh)", name));
}

BleuSmoothing bleu_smoothing_from_name(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (name == kSmoothingNames[i]) return static_cast<BleuSmoothing>(i);
  throw Error(
      fmt::format("[bleu] unknown smoothing method '{}' (use exp, floor, add-k or none)", name));
}

BleuStats& BleuStats::operator+=(const BleuStats& other) {
  if (correct.empty() && total.empty()) {
    correct.assign(other.correct.size(), 0);
    total.assign(other.total.size(), 0);
  }
  EMBER_CHECK(correct.size() == other.correct.size() && total.size() == other.total.size(),
              "[bleu] cannot add statistics of {} and {} n-gram orders", correct.size(),
              other.correct.size());
  sys_len += other.sys_len;
  ref_len += other.ref_len;
  for (size_t n = 0; n < correct.size(); ++n) {
    correct[n] += other.correct[n];
    total[n] += other.total[n];
  }
  return *this;
}

std::vector<std::string> bleu_tokens(std::string_view line, const BleuOptions& options) {
  std::string text = options.lowercase ? python_text::lower(line) : std::string(line);
  text = std::string(python_text::rstrip(text));
  switch (options.tokenize) {
    case BleuTokenizer::k13a:
      text = tokenize_13a(text);
      break;
    case BleuTokenizer::kIntl:
      text = tokenize_intl(text);
      break;
    case BleuTokenizer::kChar:
      text = tokenize_char(text);
      break;
    case BleuTokenizer::kZh:
      text = tokenize_zh(text);
      break;
    case BleuTokenizer::kNone:
      break;
  }
  const std::vector<std::string_view> words = python_text::split(text);
  return {words.begin(), words.end()};
}

BleuStats bleu_segment_stats(std::string_view hypothesis,
                             const std::vector<std::string_view>& references,
                             const BleuOptions& options) {
  check_options(options);
  EMBER_CHECK(!references.empty(), "[bleu] a segment needs at least one reference");
  const int orders = options.max_ngram_order;
  NgramCounts ref_counts(orders);
  std::vector<int64_t> ref_lens;
  for (std::string_view reference : references) {
    const std::vector<std::string> tokens = bleu_tokens(reference, options);
    ref_lens.push_back(static_cast<int64_t>(tokens.size()));
    NgramCounts counts = count_ngrams(tokens, orders);
    for (int n = 0; n < orders; ++n)
      for (auto& [ngram, count] : counts[n])
        ref_counts[n][ngram] = std::max(ref_counts[n][ngram], count);
  }
  const std::vector<std::string> tokens = bleu_tokens(hypothesis, options);
  BleuStats stats;
  stats.sys_len = static_cast<int64_t>(tokens.size());
  stats.ref_len = closest_ref_len(stats.sys_len, ref_lens);
  stats.correct.assign(orders, 0);
  stats.total.assign(orders, 0);
  const NgramCounts hyp_counts = count_ngrams(tokens, orders);
  for (int n = 0; n < orders; ++n) {
    for (const auto& [ngram, count] : hyp_counts[n]) {
      stats.total[n] += count;
      const auto it = ref_counts[n].find(ngram);
      if (it != ref_counts[n].end()) stats.correct[n] += std::min(count, it->second);
    }
  }
  return stats;
}

BleuScore compute_bleu(const BleuStats& stats, const BleuOptions& options) {
  check_options(options);
  const int orders = options.max_ngram_order;
  EMBER_CHECK(static_cast<int>(stats.correct.size()) == orders &&
                  static_cast<int>(stats.total.size()) == orders,
              "[bleu] statistics have {} orders but max_ngram_order is {}", stats.correct.size(),
              orders);
  const double smooth_value = options.smooth_value.value_or(default_smooth_value(options.smooth));
  BleuScore result;
  result.stats = stats;
  result.precisions.assign(orders, 0.0);
  result.bp = 1.0;
  if (stats.sys_len < stats.ref_len)
    result.bp = stats.sys_len > 0 ? std::exp(1.0 - static_cast<double>(stats.ref_len) /
                                                       static_cast<double>(stats.sys_len))
                                  : 0.0;
  // No match at any order: 0 whatever the smoothing (sacreBLEU #141).
  if (std::all_of(stats.correct.begin(), stats.correct.end(), [](int64_t c) { return c == 0; }))
    return result;
  double smooth_mteval = 1.0;
  int eff_order = orders;
  for (int n = 1; n <= orders; ++n) {
    double correct = static_cast<double>(stats.correct[n - 1]);
    double total = static_cast<double>(stats.total[n - 1]);
    if (options.smooth == BleuSmoothing::kAddK && n > 1) {
      correct += smooth_value;
      total += smooth_value;
    }
    if (total == 0.0) break;
    if (options.effective_order) eff_order = n;
    double& precision = result.precisions[n - 1];
    if (correct > 0.0) {
      precision = 100.0 * correct / total;
    } else if (options.smooth == BleuSmoothing::kExp) {
      smooth_mteval *= 2.0;
      precision = 100.0 / (smooth_mteval * total);
    } else if (options.smooth == BleuSmoothing::kFloor) {
      precision = 100.0 * smooth_value / total;
    }
  }
  double log_sum = 0.0;
  for (int n = 0; n < eff_order; ++n) log_sum += my_log(result.precisions[n]);
  result.score = result.bp * std::exp(log_sum / eff_order);
  return result;
}

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& references,
                      const BleuOptions& options) {
  check_options(options);
  EMBER_CHECK(!hypotheses.empty(), "[bleu] no hypotheses to score");
  EMBER_CHECK(!references.empty(), "[bleu] no reference streams for {} hypotheses",
              hypotheses.size());
  for (size_t k = 0; k < references.size(); ++k)
    EMBER_CHECK(references[k].size() == hypotheses.size(),
                "[bleu] reference stream {} has {} segments but there are {} hypotheses", k,
                references[k].size(), hypotheses.size());
  BleuStats total;
  std::set<size_t> ref_counts;
  std::vector<std::string_view> segment_refs;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    segment_refs.clear();
    for (const auto& stream : references)
      if (!stream[i].empty()) segment_refs.push_back(stream[i]);
    EMBER_CHECK(!segment_refs.empty(), "[bleu] segment {} has only empty references", i);
    ref_counts.insert(segment_refs.size());
    total += bleu_segment_stats(hypotheses[i], segment_refs, options);
  }
  BleuScore result = compute_bleu(total, options);
  const std::string nrefs =
      ref_counts.size() == 1 ? std::to_string(*ref_counts.begin()) : std::string("var");
  result.signature = make_signature(nrefs, bleu_signature_fields(options));
  return result;
}

BleuScore sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references,
                        const BleuOptions& options) {
  std::vector<std::vector<std::string>> streams;
  for (const std::string& reference : references) streams.push_back({reference});
  return corpus_bleu({hypothesis}, streams, options);
}

std::string BleuScore::format() const {
  return fmt::format("BLEU{}{} = {:.2f} {}", signature.empty() ? "" : "|", signature, score,
                     details());
}

std::string BleuScore::details() const {
  std::string precision_text;
  for (size_t n = 0; n < precisions.size(); ++n)
    precision_text += fmt::format("{}{:.1f}", n > 0 ? "/" : "", precisions[n]);
  const double ratio = stats.ref_len > 0
                           ? static_cast<double>(stats.sys_len) / static_cast<double>(stats.ref_len)
                           : 0.0;
  return fmt::format("{} (BP = {:.3f} ratio = {:.3f} hyp_len = {} ref_len = {})", precision_text,
                     bp, ratio, stats.sys_len, stats.ref_len);
}

}  // namespace ember::seq2seq
