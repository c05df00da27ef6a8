// Minimum Bayes-risk choice over a candidate list: the posterior, then the utility matrix.
#include "ember/seq2seq/metrics/mbr.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/metrics/chrf.h"
#include "ember/seq2seq/metrics/python_text.h"
#include "ember/seq2seq/metrics/rouge.h"

namespace ember::seq2seq {
namespace {

// p_j = exp(l_j - max l) / sum_k exp(l_k - max l): the softmax, shifted so that no term overflows.
std::vector<double> posterior(const std::vector<double>& log_probs) {
  const double top = *std::max_element(log_probs.begin(), log_probs.end());
  std::vector<double> p(log_probs.size());
  double total = 0.0;
  for (size_t j = 0; j < p.size(); ++j) total += p[j] = std::exp(log_probs[j] - top);
  for (double& v : p) v /= total;
  return p;
}

// Nothing but whitespace in Python's str.split() sense, the whitespace chrF drops (an ideographic
// space as well as ASCII ones): nothing any of the metrics compares.
bool is_blank(const std::string& text) { return python_text::split(text).empty(); }

// U(candidates[i], candidates[j]) for every pair, row i the candidate, column j the reference.
std::vector<std::vector<double>> utility_matrix(const std::vector<std::string>& candidates,
                                                MbrUtility utility) {
  const size_t n = candidates.size();
  std::vector<std::vector<std::string>> tokens;  // ROUGE's, once a text rather than once a pair
  if (utility == MbrUtility::kRouge)
    for (const std::string& c : candidates) tokens.push_back(rouge_tokenize(c));
  std::vector<std::vector<double>> u(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const bool blank_i = is_blank(candidates[i]), blank_j = is_blank(candidates[j]);
      if (blank_i || blank_j) {  // outside every metric's domain (chrF refuses an empty reference)
        u[i][j] = blank_i && blank_j ? 100.0 : 0.0;
      } else if (utility == MbrUtility::kRouge) {
        u[i][j] =
            100.0 *
            (rouge_n(tokens[i], tokens[j], 1).fmeasure + rouge_n(tokens[i], tokens[j], 2).fmeasure +
             rouge_l(tokens[i], tokens[j]).fmeasure) /
            3.0;
      } else {
        u[i][j] = utility == MbrUtility::kBleu
                      ? sentence_bleu(candidates[i], {candidates[j]}).score
                      : sentence_chrf(candidates[i], {candidates[j]}).score;
      }
    }
  }
  return u;
}

}  // namespace

const EnumNames<MbrUtility>& mbr_utility_names() {
  static const EnumNames<MbrUtility> names("[mbr]", "utility",
                                           {{"none", MbrUtility::kNone},
                                            {"bleu", MbrUtility::kBleu},
                                            {"chrf", MbrUtility::kChrf},
                                            {"rouge", MbrUtility::kRouge}});
  return names;
}

std::vector<double> mbr_expected_utilities(const std::vector<std::string>& candidates,
                                           const std::vector<double>& log_probs,
                                           MbrUtility utility) {
  EMBER_CHECK(utility != MbrUtility::kNone, "[mbr] needs a utility (bleu, chrf or rouge)");
  EMBER_CHECK(!candidates.empty() && candidates.size() == log_probs.size(),
              "[mbr] needs one log-probability a candidate, got {} candidates and {} "
              "log-probabilities",
              candidates.size(), log_probs.size());
  bool any_finite = false;
  for (size_t i = 0; i < log_probs.size(); ++i) {
    EMBER_CHECK(
        !std::isnan(log_probs[i]) && log_probs[i] != std::numeric_limits<double>::infinity(),
        "[mbr] candidate {} has log-probability {} (expected finite or -inf)", i, log_probs[i]);
    any_finite = any_finite || std::isfinite(log_probs[i]);
  }
  EMBER_CHECK(any_finite, "[mbr] all {} candidates have log-probability -inf", candidates.size());
  const std::vector<double> p = posterior(log_probs);
  const std::vector<std::vector<double>> u = utility_matrix(candidates, utility);
  std::vector<double> expected(candidates.size(), 0.0);
  for (size_t i = 0; i < candidates.size(); ++i)
    for (size_t j = 0; j < candidates.size(); ++j) expected[i] += p[j] * u[i][j];
  return expected;
}

}  // namespace ember::seq2seq
