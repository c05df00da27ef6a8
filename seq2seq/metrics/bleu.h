// Corpus and sentence BLEU (Papineni et al. 2002) computed exactly as sacreBLEU 2.x does:
// one of sacreBLEU's tokenizers (bleu_tokenizers.h), clipped n-gram counts against the
// per-n-gram maximum over the references, the closest reference length, the brevity penalty and
// the smoothing methods of Chen & Cherry (2014). Scores are on sacreBLEU's 0..100 scale.
//
//   BLEU = BP * exp( (1/N) * sum_n log p_n )     p_n = clipped matches_n / hypothesis n-grams_n
//   BP   = 1 if c >= r else exp(1 - r / c)       c, r: corpus hypothesis and reference lengths
//
// Layout of references as in sacreBLEU: a list of reference streams, each as long as the
// hypotheses; references[k][i] is the k-th reference of segment i. An empty reference string
// means "segment i has fewer references" (nrefs:var in the signature).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ember/seq2seq/metrics/bleu_tokenizers.h"

namespace ember::seq2seq {

enum class BleuTokenizer {
  k13a,   // mteval-v13a.pl, sacreBLEU's default ("13a")
  kNone,  // the text is already tokenised: whitespace tokens ("none")
  kIntl,  // mteval-v14.pl's international tokenization ("intl")
  kChar,  // every character a token ("char")
  kZh     // Chinese characters one by one, then the mteval rules ("zh")
};

enum class BleuSmoothing {
  kExp,    // NIST geometric sequence: the k-th zero-match order gets 1 / (2^k * total) (default)
  kFloor,  // a zero-match order gets smooth_value / total (default value 0.1)
  kAddK,   // orders n > 1 add smooth_value to matches and totals (default value 1)
  kNone
};

// The names sacreBLEU uses ("13a", "none", "intl", "char", "zh"; "exp", "floor", "add-k", "none");
// throw ember::Error naming the accepted values for any other name.
BleuTokenizer bleu_tokenizer_from_name(std::string_view name);
// Every tokenizer name, in the enum's order (the choices of the --bleu-tokenize flags).
std::vector<std::string> bleu_tokenizer_names();
BleuSmoothing bleu_smoothing_from_name(std::string_view name);

struct BleuOptions {
  BleuTokenizer tokenize = BleuTokenizer::k13a;
  BleuSmoothing smooth = BleuSmoothing::kExp;
  std::optional<double> smooth_value = std::nullopt;  // kFloor / kAddK; empty: the default
  bool lowercase = false;
  int max_ngram_order = 4;
  bool effective_order = false;  // average only over the orders the hypotheses have n-grams of
};

// Sufficient statistics: sums over segments, so corpus BLEU of a union is BLEU of the sum.
struct BleuStats {
  int64_t sys_len = 0;
  int64_t ref_len = 0;           // closest reference length, summed
  std::vector<int64_t> correct;  // clipped matches per order 1..max_ngram_order
  std::vector<int64_t> total;    // hypothesis n-grams per order

  BleuStats& operator+=(const BleuStats& other);
};

struct BleuScore {
  double score = 0.0;              // 0..100
  std::vector<double> precisions;  // per order, 0..100, smoothed as the score uses them
  double bp = 0.0;                 // brevity penalty
  BleuStats stats;
  // e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:ember-0.1.0" (signature.h)
  std::string signature;

  // sacreBLEU's score line, e.g. "BLEU|nrefs:1|... = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943
  // ratio = 0.944 hyp_len = 17 ref_len = 18)"; without the "|signature" part if it is empty.
  std::string format() const;
  // The part after the score: "82.4/50.0/45.5/37.5 (BP = 0.943 ratio = ... ref_len = 18)".
  std::string details() const;
};

// The name of a tokenizer as the signature shows it ("13a", "none", "intl", "char", "zh").
const char* bleu_tokenizer_name(BleuTokenizer tokenizer);

// The metric's own signature fields: "case:mixed|eff:no|tok:13a|smooth:exp".
std::string bleu_signature_fields(const BleuOptions& options);

// The tokens BLEU counts for one segment under `options` (lowercasing, then the tokeniser).
std::vector<std::string> bleu_tokens(std::string_view line, const BleuOptions& options);

// Statistics of one hypothesis against its (non-empty) references.
BleuStats bleu_segment_stats(std::string_view hypothesis,
                             const std::vector<std::string_view>& references,
                             const BleuOptions& options);

// BLEU from summed statistics (sacreBLEU's BLEU.compute_bleu); signature left empty.
BleuScore compute_bleu(const BleuStats& stats, const BleuOptions& options);

// Corpus BLEU (sacreBLEU's BLEU(...).corpus_score(hypotheses, references)).
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& references,
                      const BleuOptions& options = {});

// Sentence BLEU with sacreBLEU's sentence_bleu defaults: exp smoothing and effective order.
BleuScore sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references,
                        const BleuOptions& options = BleuOptions{.effective_order = true});

}  // namespace ember::seq2seq
