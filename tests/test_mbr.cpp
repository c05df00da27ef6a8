// Minimum Bayes-risk choice (seq2seq/metrics/mbr.h): expected utilities under the renormalized
// posterior, against sums written out by hand from the sentence metrics.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/metrics/chrf.h"
#include "ember/seq2seq/metrics/mbr.h"
#include "ember/seq2seq/metrics/rouge.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// The mean of ROUGE-1, ROUGE-2 and ROUGE-L F1 on 0..100, from the string API.
double rouge_mean(const std::string& candidate, const std::string& reference) {
  const RougeScores s = rouge_scores(candidate, reference);
  return 100.0 * (s.rouge1.fmeasure + s.rouge2.fmeasure + s.rouge_l.fmeasure) / 3.0;
}

}  // namespace

TEST_CASE("mbr: the candidate most like the likely others wins over the single most likely one") {
  // "x" is the most likely candidate, but three near-identical candidates hold most of the mass.
  const std::vector<std::string> c = {"x", "a b c d", "a b c e", "a b c f"};
  const std::vector<double> lp = {-1.0, -1.5, -1.5, -1.5};
  const std::vector<double> u = mbr_expected_utilities(c, lp, MbrUtility::kRouge);
  REQUIRE(u.size() == 4);
  const double z = std::exp(-1.0) + 3.0 * std::exp(-1.5);
  const double p_x = std::exp(-1.0) / z, p_a = std::exp(-1.5) / z;
  // "x" shares nothing with the others; against itself it has no bigram, so ROUGE-2 is 0.
  CHECK(u[0] == doctest::Approx(p_x * rouge_mean("x", "x")));
  CHECK(rouge_mean("x", "x") == doctest::Approx(200.0 / 3.0));
  const double expected_abcd = p_a * 100.0 + 2.0 * p_a * rouge_mean("a b c d", "a b c e");
  CHECK(u[1] == doctest::Approx(expected_abcd));
  CHECK(u[1] == doctest::Approx(u[2]));
  CHECK(u[1] > u[0]);
}

TEST_CASE("mbr: each utility is the posterior-weighted sentence metric against every candidate") {
  const std::vector<std::string> c = {"the cat sat on the mat", "the cat sat", "a dog ran"};
  const std::vector<double> lp = {-2.0, -1.0, -3.0};
  double z = 0.0;
  for (double l : lp) z += std::exp(l);
  for (MbrUtility utility : {MbrUtility::kBleu, MbrUtility::kChrf, MbrUtility::kRouge}) {
    INFO(mbr_utility_names().name(utility));
    const std::vector<double> u = mbr_expected_utilities(c, lp, utility);
    for (size_t i = 0; i < c.size(); ++i) {
      double sum = 0.0;
      for (size_t j = 0; j < c.size(); ++j) {
        const double metric = utility == MbrUtility::kBleu   ? sentence_bleu(c[i], {c[j]}).score
                              : utility == MbrUtility::kChrf ? sentence_chrf(c[i], {c[j]}).score
                                                             : rouge_mean(c[i], c[j]);
        sum += std::exp(lp[j]) / z * metric;
      }
      CHECK(u[i] == doctest::Approx(sum));
    }
  }
}

TEST_CASE("mbr: the posterior is shift-invariant and a -inf candidate weighs nothing") {
  const std::vector<std::string> c = {"a b", "a c", "d"};
  const std::vector<double> near =
      mbr_expected_utilities(c, {-1.0, -2.0, -2.5}, MbrUtility::kRouge);
  // log-probabilities a thousand nats lower: exp() of each underflows, the softmax must not.
  const std::vector<double> far =
      mbr_expected_utilities(c, {-1001.0, -1002.0, -1002.5}, MbrUtility::kRouge);
  for (size_t i = 0; i < c.size(); ++i) CHECK(far[i] == doctest::Approx(near[i]));
  const std::vector<double> u =
      mbr_expected_utilities({"a", "b"}, {-3.0, kNegInf}, MbrUtility::kRouge);
  CHECK(u[0] == doctest::Approx(rouge_mean("a", "a")));
  CHECK(u[1] == doctest::Approx(0.0));
}

TEST_CASE("mbr: an empty candidate matches only another empty one, under every utility") {
  for (MbrUtility utility : {MbrUtility::kBleu, MbrUtility::kChrf, MbrUtility::kRouge}) {
    INFO(mbr_utility_names().name(utility));
    const std::vector<double> u = mbr_expected_utilities(
        {"", " ", "a b"}, {std::log(0.25), std::log(0.25), std::log(0.5)}, utility);
    CHECK(u[0] == doctest::Approx(50.0));  // 100 against each empty one, 0 against "a b"
    CHECK(u[1] == doctest::Approx(50.0));
    CHECK(u[2] == doctest::Approx(0.5 * mbr_expected_utilities({"a b"}, {0.0}, utility)[0]));
  }
  // An ideographic space (U+3000) is whitespace too: an empty output, as chrF sees it.
  const std::vector<double> u = mbr_expected_utilities(
      {"\xe3\x80\x80", "a b"}, {std::log(0.5), std::log(0.5)}, MbrUtility::kChrf);
  CHECK(u[0] == doctest::Approx(50.0));
  CHECK(u[1] == doctest::Approx(50.0));
}

TEST_CASE("mbr: names, and the inputs it refuses") {
  CHECK(mbr_utility_names().parse("rouge") == MbrUtility::kRouge);
  CHECK(std::string(mbr_utility_names().name(MbrUtility::kBleu)) == "bleu");
  CHECK_THROWS_WITH_AS(mbr_utility_names().parse("rouge2"),
                       "[mbr] unknown utility 'rouge2' (expected one of: none, bleu, chrf, rouge)",
                       ember::Error);
  CHECK_THROWS_WITH_AS(mbr_expected_utilities({"a"}, {0.0}, MbrUtility::kNone),
                       doctest::Contains("[mbr] needs a utility"), ember::Error);
  CHECK_THROWS_WITH_AS(mbr_expected_utilities({}, {}, MbrUtility::kBleu),
                       doctest::Contains("0 candidates and 0 log-probabilities"), ember::Error);
  CHECK_THROWS_WITH_AS(mbr_expected_utilities({"a", "b"}, {0.0}, MbrUtility::kBleu),
                       doctest::Contains("2 candidates and 1 log-probabilities"), ember::Error);
  CHECK_THROWS_WITH_AS(mbr_expected_utilities({"a", "b"}, {0.0, std::nan("")}, MbrUtility::kChrf),
                       doctest::Contains("candidate 1 has log-probability nan"), ember::Error);
  CHECK_THROWS_WITH_AS(
      mbr_expected_utilities({"a"}, {std::numeric_limits<double>::infinity()}, MbrUtility::kChrf),
      doctest::Contains("candidate 0 has log-probability inf"), ember::Error);
  CHECK_THROWS_WITH_AS(mbr_expected_utilities({"a", "b"}, {kNegInf, kNegInf}, MbrUtility::kRouge),
                       "[mbr] all 2 candidates have log-probability -inf", ember::Error);
}
