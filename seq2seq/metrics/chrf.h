// chrF (Popović 2015) and chrF++ (Popović 2017) computed exactly as sacreBLEU 2.x does
// (sacrebleu/metrics/chrf.py): character n-grams of orders 1..char_order over the text with its
// whitespace removed (word_order > 0 adds word n-grams: chrF++), n-gram statistics summed over
// the corpus, then one F-beta score of the averaged precision and recall. Scores are 0..100.
//
//   default (effective order):  P = mean_n P_n, R = mean_n R_n over the orders that both sides
//                               have n-grams of;  chrF = (1 + b^2) P R / (b^2 P + R)
//   eps_smoothing:              chrF = mean_n F_n over all orders, an order with no n-grams
//                               counting as 1e-16 (chrF++.py, Moses and NLTK)
//
// With several references, each segment keeps the statistics of its best-scoring reference.
// References are laid out as in bleu.h: references[k][i] is the k-th reference of segment i;
// an empty string means segment i has fewer references.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::seq2seq {

struct ChrfOptions {
  int char_order = 6;
  int word_order = 0;  // 2 gives chrF++
  int beta = 2;        // recall is beta times as important as precision
  bool lowercase = false;
  bool whitespace = false;  // keep whitespace inside the character n-grams
  bool eps_smoothing = false;
};

struct ChrfScore {
  double score = 0.0;          // 0..100
  std::vector<int64_t> stats;  // per order: hypothesis n-grams, reference n-grams, matches
  std::string name;            // "chrF2", "chrF2++"
  std::string signature;       // e.g. "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:..."

  // sacreBLEU's score line, e.g. "chrF2|nrefs:2|... = 59.73".
  std::string format() const;
};

// Corpus chrF (sacreBLEU's CHRF(...).corpus_score(hypotheses, references)).
ChrfScore corpus_chrf(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& references,
                      const ChrfOptions& options = {});

// Statistics of one hypothesis against its references (each one scored, even an empty one): those
// of the reference giving the best chrF, 3 per order as in ChrfScore::stats.
std::vector<int64_t> chrf_segment_stats(const std::string& hypothesis,
                                        const std::vector<const std::string*>& references,
                                        const ChrfOptions& options);

// chrF (0..100) of summed statistics (sacreBLEU's CHRF._compute_f_score).
double chrf_from_stats(const std::vector<int64_t>& stats, const ChrfOptions& options);

// "chrF2", "chrF2++" (one '+' per word order).
std::string chrf_name(const ChrfOptions& options);

// The metric's own signature fields: "case:mixed|eff:yes|nc:6|nw:0|space:no".
std::string chrf_signature_fields(const ChrfOptions& options);

// chrF of one hypothesis against its references.
ChrfScore sentence_chrf(const std::string& hypothesis, const std::vector<std::string>& references,
                        const ChrfOptions& options = {});

}  // namespace ember::seq2seq
