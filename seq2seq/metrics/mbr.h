// Minimum Bayes-risk decoding (Kumar & Byrne 2004, "Minimum Bayes-Risk Decoding for Statistical
// Machine Translation", eq. 3 over an n-best list): of the candidates a search found for one
// source, choose the one with the highest expected utility under the model,
//
//   y* = argmax_i  sum_j p(y_j) U(y_i, y_j),     p(y_j) = exp(log P(y_j)) / sum_k exp(log P(y_k))
//
// where each candidate in turn plays the reference and the posterior p is the model's, renormalized
// over the list. The utility is a sentence-level metric, so a decoding can aim at what it is scored
// by: a candidate that shares the n-grams of many likely others beats a likely outlier.
//
//   std::vector<double> u = mbr_expected_utilities({"a b c", "a b", "x"}, {-1.0, -1.2, -0.9},
//                                                  MbrUtility::kRouge);
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/enum_names.h"

namespace ember::seq2seq {

// The utility U(candidate, pseudo-reference), each on a 0..100 scale:
//   bleu   sentence BLEU as sacreBLEU's sentence_bleu (13a, exp smoothing, effective order)
//   chrf   sentence chrF2 as sacreBLEU's sentence_chrf
//   rouge  the mean of rouge-score's ROUGE-1, ROUGE-2 and ROUGE-L F1 (no stemming)
// An empty (or whitespace-only) text is outside the metrics' domain: U is 100 between two empty
// texts and 0 between an empty and a non-empty one.
enum class MbrUtility { kNone, kBleu, kChrf, kRouge };
// The names none | bleu | chrf | rouge; another throws "[mbr] unknown utility '<name>' (expected
// one of: ...)".
const EnumNames<MbrUtility>& mbr_utility_names();

// The expected utility of each candidate (in candidate order). log_probs[i] is the model's
// log P(candidates[i] | source); -inf gives a candidate no weight as a pseudo-reference (it is
// still scored as a candidate). Throws "[mbr]" for lists of different lengths, an empty list, a NaN
// or +inf log-probability, no finite one, or MbrUtility::kNone.
std::vector<double> mbr_expected_utilities(const std::vector<std::string>& candidates,
                                           const std::vector<double>& log_probs,
                                           MbrUtility utility);

}  // namespace ember::seq2seq
