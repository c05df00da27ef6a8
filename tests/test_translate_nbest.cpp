// n-best lists from translate_nbest (seq2seq/train/evaluation.h): the beam's best translations of
// each sentence, best first, in the input order, with their model log-probabilities.
#include <doctest/doctest.h>

#include <limits>
#include <set>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/search/beam.h"
#include "ember/seq2seq/train/evaluation.h"
#include "support/scripted_model.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

const std::vector<std::string> kLines = {"abc", "", "ba", "cab", "aaaa", "c"};

}  // namespace

TEST_CASE("translate_nbest: K distinct translations a sentence, best first, the best translate's") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  const DecodeOptions options{.beam_size = 4, .n_best = 3, .max_len = {0.0, 4}, .max_tokens = 8};
  const auto lists = translate_nbest(*model, tok, tok, kLines, options);
  const std::vector<Translation> best = translate(*model, tok, tok, kLines, options);
  REQUIRE(lists.size() == kLines.size());
  for (size_t i = 0; i < kLines.size(); ++i) {
    INFO(kLines[i]);
    REQUIRE_FALSE(lists[i].empty());
    if (kLines[i].empty()) {  // a blank line: one empty translation
      CHECK(lists[i].size() == 1);
      CHECK(lists[i][0].text.empty());
      CHECK(lists[i][0].log_prob == 0.0f);
      continue;
    }
    CHECK(lists[i].size() == 3);
    CHECK(lists[i][0].tokens == best[i].tokens);
    CHECK(lists[i][0].score == best[i].score);
    std::set<std::vector<int64_t>> distinct;
    for (size_t k = 0; k < lists[i].size(); ++k) {
      const Translation& t = lists[i][k];
      distinct.insert(t.tokens);
      CHECK(t.source == best[i].source);
      CHECK(t.text == tok.decode(t.tokens));
      CHECK(t.log_prob <= 0.0f);
      // score = log P / lp(|Y|), |Y| counting </s> when the output ended with it.
      const float lp_short = gnmt_length_penalty(static_cast<int64_t>(t.tokens.size()), 0.6f);
      const float lp_eos = gnmt_length_penalty(static_cast<int64_t>(t.tokens.size()) + 1, 0.6f);
      CHECK((t.score == doctest::Approx(t.log_prob / lp_short) ||
             t.score == doctest::Approx(t.log_prob / lp_eos)));
      if (k > 0) CHECK(lists[i][k - 1].score >= t.score);
    }
    CHECK(distinct.size() == lists[i].size());
  }
  // Batched as one sentence at a time.
  for (size_t i = 0; i < kLines.size(); ++i) {
    const auto alone = translate_nbest(*model, tok, tok, {kLines[i]}, options);
    REQUIRE(alone[0].size() == lists[i].size());
    for (size_t k = 0; k < lists[i].size(); ++k) CHECK(alone[0][k].tokens == lists[i][k].tokens);
  }
}

TEST_CASE("translate_nbest: greedy's one translation; n_best outside [1, beam] refused") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  const auto greedy = translate_nbest(*model, tok, tok, {"abc"}, {.max_len = {0.0, 4}});
  REQUIRE(greedy[0].size() == 1);
  CHECK(greedy[0][0].score == greedy[0][0].log_prob);
  CHECK_THROWS_WITH_AS(translate_nbest(*model, tok, tok, {"abc"}, {.beam_size = 2, .n_best = 3}),
                       "[translate] n_best = 3 must be in [1, beam_size = 2]", ember::Error);
  CHECK_THROWS_WITH_AS(translate_nbest(*model, tok, tok, {"abc"}, {.n_best = 0}),
                       "[translate] n_best = 0 must be in [1, beam_size = 1]", ember::Error);
  // translate() keeps the best whatever n_best says.
  CHECK(translate(*model, tok, tok, {"abc"}, {.beam_size = 3, .n_best = 3}).size() == 1);
}

TEST_CASE("translate_nbest with mbr: the beam's outputs ordered by expected utility, n_best kept") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  const DecodeOptions search{
      .beam_size = 6, .n_best = 6, .max_len = {0.0, 6}, .min_len = 2, .disable_unk = true};
  DecodeOptions mbr = search;
  mbr.mbr = MbrUtility::kChrf;
  mbr.n_best = 2;
  const auto beam = translate_nbest(*model, tok, tok, kLines, search);
  const auto chosen = translate_nbest(*model, tok, tok, kLines, mbr);
  const std::vector<Translation> best = translate(*model, tok, tok, kLines, mbr);
  int reordered = 0;  // sentences whose choice is not the search's best
  for (size_t i = 0; i < kLines.size(); ++i) {
    INFO(kLines[i]);
    if (kLines[i].empty()) {  // a blank line is not decoded: nothing to choose among
      CHECK(chosen[i].size() == 1);
      CHECK(chosen[i][0].text.empty());
      continue;
    }
    std::vector<std::string> texts;
    std::vector<double> log_probs;
    for (const Translation& t : beam[i]) {
      texts.push_back(t.text);
      log_probs.push_back(t.log_prob);
    }
    const std::vector<double> u = mbr_expected_utilities(texts, log_probs, MbrUtility::kChrf);
    size_t top = 0;  // the first of the highest, as the stable order keeps ties
    for (size_t k = 1; k < u.size(); ++k)
      if (u[k] > u[top]) top = k;
    if (top != 0) ++reordered;
    REQUIRE(chosen[i].size() == 2);
    CHECK(chosen[i][0].tokens == beam[i][top].tokens);
    CHECK(chosen[i][0].log_prob == beam[i][top].log_prob);
    CHECK(best[i].tokens == beam[i][top].tokens);
  }
  // This untrained model's outputs of 2 to 6 pieces differ, and chrF (recall-weighted) prefers a
  // longer one that holds the shorter ones' characters: MBR changes the choice.
  CHECK(reordered > 0);
  CHECK_THROWS_WITH_AS(
      translate_nbest(*model, tok, tok, {"abc"}, {.max_len = {0.0, 4}, .mbr = MbrUtility::kBleu}),
      "[translate] minimum Bayes-risk decoding (mbr = bleu) chooses among the outputs of a beam "
      "search: needs beam_size >= 2, got 1",
      ember::Error);
}

TEST_CASE("translate with mbr keeps the one empty output of a sentence the model leaves none for") {
  // Every step puts all its mass on <unk>, which disable_unk bars: no output has a finite score.
  ember::testing::ScriptedModel model([](int64_t, int64_t, int64_t) {
    return ember::testing::dist({{kUnkId, 1.0f}});
  });
  const CharTokenizer tok = CharTokenizer::train({"abcd"});
  REQUIRE(tok.vocab_size() == 8);
  const DecodeOptions options{
      .beam_size = 3, .max_len = {0.0, 4}, .disable_unk = true, .mbr = MbrUtility::kRouge};
  const std::vector<Translation> out = translate(model, tok, tok, {"abc"}, options);
  REQUIRE(out.size() == 1);
  CHECK(out[0].tokens.empty());
  CHECK(out[0].log_prob == -std::numeric_limits<float>::infinity());
}
