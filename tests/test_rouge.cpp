#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/rouge.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

bool near(double a, double b, double tolerance) { return std::abs(a - b) <= tolerance; }

void check_score(const RougeScore& score, double precision, double recall, double fmeasure,
                 double tolerance) {
  CHECK(near(score.precision, precision, tolerance));
  CHECK(near(score.recall, recall, tolerance));
  CHECK(near(score.fmeasure, fmeasure, tolerance));
}

// google-research/google-research rouge/testdata/target.txt and prediction.txt, lines 1 and 2:
// the inputs rouge_scorer_test.py scores against manual runs of ROUGE-1.5.5.
const std::vector<std::string> kTargets = {
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM "
    "EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m "
    "qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing "
    "UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n"};
const std::vector<std::string> kPredictions = {
    "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J "
    "XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n"};

}  // namespace

TEST_CASE("ROUGE-1/2/L on short texts match rouge-score's tests") {
  // google-research/google-research rouge/rouge_scorer_test.py; its score() takes (target,
  // prediction), ours (prediction, reference).
  check_score(rouge_scores("testing", "testing one two").rouge1, 1.0, 1.0 / 3, 0.5, 1e-9);
  const RougeScores consecutive = rouge_scores("testing one", "testing one two");
  check_score(consecutive.rouge1, 1.0, 2.0 / 3, 0.8, 1e-9);
  check_score(consecutive.rouge2, 1.0, 0.5, 2.0 / 3, 1e-9);
  check_score(consecutive.rouge_l, 1.0, 2.0 / 3, 0.8, 1e-9);
  check_score(rouge_scores("testing two", "testing one two").rouge_l, 1.0, 2.0 / 3, 0.8, 1e-9);
}

TEST_CASE("ROUGE of an empty prediction is 0") {
  // rouge_scorer_test.py testRougeEmpty.
  const RougeScores empty = rouge_scores("", "testing one two");
  for (const RougeScore& s : {empty.rouge1, empty.rouge2, empty.rouge_l})
    check_score(s, 0.0, 0.0, 0.0, 0.0);
  // A prediction of punctuation only has no tokens either.
  check_score(rouge_scores("/ -- !", "w1 w2").rouge_l, 0.0, 0.0, 0.0, 0.0);
}

TEST_CASE("ROUGE-1/2/L match ROUGE-1.5.5 on rouge-score's test data") {
  // rouge_scorer_test.py testRouge1AgainstRouge155, testRouge2AgainstRouge155,
  // testRougeLAgainstRouge155 (5 decimal places there): (P, R, F) of lines 1 and 2.
  const RougeScores first = rouge_scores(kPredictions[0], kTargets[0]);
  check_score(first.rouge1, 0.68750, 0.40741, 0.51163, 1e-5);
  check_score(first.rouge2, 0.53333, 0.30769, 0.39024, 1e-5);
  check_score(first.rouge_l, 0.68750, 0.40741, 0.51163, 1e-5);
  const RougeScores second = rouge_scores(kPredictions[1], kTargets[1]);
  check_score(second.rouge1, 0.65385, 0.40476, 0.50000, 1e-5);
  check_score(second.rouge2, 0.48000, 0.29268, 0.36364, 1e-5);
  check_score(second.rouge_l, 0.65385, 0.40476, 0.50000, 1e-5);
}

TEST_CASE("with use_stemmer, ROUGE-1/2 match ROUGE-1.5.5 with stemming (-m)") {
  // rouge_scorer_test.py testRouge1AgainstRouge155WithStemming and
  // testRouge2AgainstRouge155WithStemming: line 2's -ing, -er and -tion words now meet.
  const RougeOptions stemmed{.use_stemmer = true};
  const RougeScores first = rouge_scores(kPredictions[0], kTargets[0], stemmed);
  check_score(first.rouge1, 0.68750, 0.40741, 0.51163, 1e-5);
  check_score(first.rouge2, 0.53333, 0.30769, 0.39024, 1e-5);
  const RougeScores second = rouge_scores(kPredictions[1], kTargets[1], stemmed);
  check_score(second.rouge1, 0.69231, 0.42857, 0.52941, 1e-5);
  check_score(second.rouge2, 0.48000, 0.29268, 0.36364, 1e-5);
}

TEST_CASE("the stemmer joins inflections of words longer than 3 characters only") {
  const RougeOptions stemmed{.use_stemmer = true};
  CHECK(rouge_tokenize("Meetings scheduled, was news", stemmed) ==
        std::vector<std::string>{"meet", "schedul", "was", "news"});
  check_score(rouge_scores("meeting scheduled", "Meetings schedule", stemmed).rouge1, 1.0, 1.0, 1.0,
              1e-12);
  check_score(rouge_scores("meeting scheduled", "Meetings schedule").rouge1, 0.0, 0.0, 0.0, 0.0);
  // "ties" (4 characters) -> "tie"; "lies" -> "lie"; "ied" (3) stays.
  CHECK(rouge_tokenize("ties lies ied", stemmed) == std::vector<std::string>{"tie", "lie", "ied"});
}

TEST_CASE("ROUGE-L is the longest common subsequence, not contiguous") {
  // rouge_scorer_test.py testLcsTable: LCS of 1 2 3 4 5 and 2 5 3 4 is 3; none with 8 9.
  const std::vector<std::string> ref = {"1", "2", "3", "4", "5"};
  check_score(rouge_l({"2", "5", "3", "4"}, ref), 3.0 / 4, 3.0 / 5, 2.0 / 3, 1e-12);
  check_score(rouge_l({"8", "9"}, ref), 0.0, 0.0, 0.0, 0.0);
  // A prediction longer than the reference: precision falls, recall stays.
  check_score(rouge_n({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, ref, 1), 0.5, 1.0,
              2.0 / 3, 1e-12);
}

TEST_CASE("ROUGE-N clips repeated n-grams") {
  // Prediction "the the the" against "the cat": one "the" matches.
  check_score(rouge_n({"the", "the", "the"}, {"the", "cat"}, 1), 1.0 / 3, 0.5, 0.4, 1e-12);
  check_score(rouge_n({"a", "b", "a", "b"}, {"a", "b", "a"}, 2), 2.0 / 3, 1.0, 0.8, 1e-12);
}

TEST_CASE("the corpus score is the mean of the per-example scores") {
  // rouge/scoring_test.py testLargeConfidence: examples scoring (1, 1/3, 1/2), (0, 0, 0) and
  // (1, 1, 1) aggregate to mid = (2/3, 4/9, 1/2).
  const RougeCorpusScores corpus =
      corpus_rouge({"testing", "b", "same words"}, {"testing one two", "a", "same words"});
  REQUIRE(corpus.per_example.size() == 3);
  check_score(corpus.per_example[1].rouge1, 0.0, 0.0, 0.0, 0.0);
  check_score(corpus.mean.rouge1, 2.0 / 3, 4.0 / 9, 0.5, 1e-12);
}

TEST_CASE("rouge-score's tokenizer: lowercase ASCII alphanumerics, everything else separates") {
  CHECK(rouge_tokenize("It's 2 A.M., OK?") ==
        std::vector<std::string>{"it", "s", "2", "a", "m", "ok"});
  CHECK(rouge_tokenize("café naïve") == std::vector<std::string>{"caf", "na", "ve"});
  // Python lowercases U+0130 to "i" + U+0307 and U+212A KELVIN SIGN to "k".
  CHECK(rouge_tokenize("\u0130stanbul 5\u212A") == std::vector<std::string>{"i", "stanbul", "5k"});
  CHECK(rouge_tokenize("  \n ").empty());
}

TEST_CASE("ROUGE rejects malformed inputs") {
  CHECK_THROWS_WITH_AS(rouge_n({"a"}, {"a"}, 0), doctest::Contains("[rouge]"), Error);
  CHECK_THROWS_WITH_AS(corpus_rouge({"a"}, {"a", "b"}), doctest::Contains("[rouge]"), Error);
  CHECK_THROWS_WITH_AS(corpus_rouge({}, {}), doctest::Contains("[rouge]"), Error);
}
