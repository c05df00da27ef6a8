#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/autograd/tensor.h"
#include "ember/core/error.h"
#include "ember/seq2seq/search/beam.h"
#include "ember/seq2seq/search/greedy.h"
#include "support/scripted_model.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::dist;
using testing::noisy;
using testing::padded;
using testing::ScriptedModel;

TEST_CASE("the GNMT length penalty") {
  CHECK(gnmt_length_penalty(1, 0.6f) == doctest::Approx(1.0));
  CHECK(gnmt_length_penalty(7, 1.0f) == doctest::Approx(2.0));
  CHECK(gnmt_length_penalty(10, 0.5f) == doctest::Approx(std::sqrt(15.0 / 6.0)));
  CHECK(gnmt_length_penalty(30, 0.0f) == 1.0f);
}

TEST_CASE("beam search with k = 1 equals greedy search") {
  const std::vector<std::vector<int64_t>> rows = {{4, 5, 6}, {5}, {6, 7}, {7, 4, 4, 5}};
  const std::vector<int64_t> lengths = {3, 1, 2, 4};
  ScriptedModel a(noisy), b(noisy);
  BeamOptions options;
  options.beam_size = 1;
  options.max_len = {2.0, 2};
  const std::vector<Hypothesis> beam = beam_search(a, padded(rows), lengths, options);
  const std::vector<Hypothesis> greedy =
      greedy_search(b, padded(rows), lengths, GreedyOptions{options.max_len, false});
  for (size_t i = 0; i < rows.size(); ++i) {
    CHECK(beam[i].tokens == greedy[i].tokens);
    CHECK(beam[i].log_prob == doctest::Approx(greedy[i].log_prob));
    CHECK(beam[i].finished == greedy[i].finished);
  }
}

TEST_CASE("beam search finds a more probable output that greedy search misses") {
  // <s> -> 4 (0.6) spreads over four continuations of 0.25; <s> -> 5 (0.4) -> 6 (0.95).
  ScriptedModel model([](int64_t, int64_t previous, int64_t) {
    if (previous == kBosId) return dist({{4, 0.6f}, {5, 0.4f}});
    if (previous == 4) return dist({{1, 0.25f}, {5, 0.25f}, {6, 0.25f}, {7, 0.25f}});
    if (previous == 5) return dist({{6, 0.95f}, {7, 0.05f}});
    return dist({{kEosId, 1.0f}});
  });
  const Hypothesis greedy = greedy_search(model, padded({{4}}), {1})[0];
  CHECK(greedy.tokens == std::vector<int64_t>{4, 1});
  CHECK(greedy.log_prob == doctest::Approx(std::log(0.6 * 0.25)));
  BeamOptions options;
  options.beam_size = 2;
  options.length_penalty = 0.0f;
  const Hypothesis beam = beam_search(model, padded({{4}}), {1}, options)[0];
  CHECK(beam.tokens == std::vector<int64_t>{5, 6});
  CHECK(beam.finished);
  CHECK(beam.log_prob == doctest::Approx(std::log(0.4 * 0.95)));
  CHECK(beam.score == beam.log_prob);
}

TEST_CASE("the length penalty favours longer outputs as alpha grows") {
  // "" (</s> at once, 0.55) against "4 5 6" (0.45): log P -0.598 and -0.799.
  ScriptedModel model([](int64_t, int64_t previous, int64_t) {
    if (previous == kBosId) return dist({{kEosId, 0.55f}, {4, 0.45f}});
    if (previous == 4) return dist({{5, 1.0f}});
    if (previous == 5) return dist({{6, 1.0f}});
    return dist({{kEosId, 1.0f}});
  });
  BeamOptions options;
  options.beam_size = 2;
  options.n_best = 2;
  options.length_penalty = 0.0f;
  std::vector<Hypothesis> nbest = beam_search_nbest(model, padded({{4}}), {1}, options)[0];
  REQUIRE(nbest.size() == 2);
  CHECK(nbest[0].tokens.empty());
  CHECK(nbest[1].tokens == std::vector<int64_t>{4, 5, 6});
  options.length_penalty = 1.0f;  // lp = 1 for "" and (5 + 4) / 6 = 1.5 for "4 5 6 </s>"
  nbest = beam_search_nbest(model, padded({{4}}), {1}, options)[0];
  REQUIRE(nbest.size() == 2);
  CHECK(nbest[0].tokens == std::vector<int64_t>{4, 5, 6});
  CHECK(nbest[0].log_prob == doctest::Approx(std::log(0.45)));
  CHECK(nbest[0].score == doctest::Approx(std::log(0.45) / 1.5));
  CHECK(nbest[1].tokens.empty());
  CHECK(nbest[1].score == doctest::Approx(std::log(0.55)));
  CHECK(beam_search(model, padded({{4}}), {1}, options)[0].tokens == nbest[0].tokens);
}

namespace {

// Step 1 finishes "" ; step 2 finishes "5" and "4" while "4 6" could still go on (to step 3).
std::vector<float> early_finishers(int64_t, int64_t previous, int64_t) {
  if (previous == kBosId) return dist({{kEosId, 0.5f}, {4, 0.3f}, {5, 0.2f}});
  if (previous == 4) return dist({{kEosId, 0.6f}, {6, 0.4f}});
  return dist({{kEosId, 1.0f}});
}

}  // namespace

TEST_CASE("beam search stops a sentence once it has k finished hypotheses") {
  ScriptedModel model(early_finishers);
  BeamOptions options;
  options.beam_size = 2;
  options.n_best = 2;
  options.length_penalty = 0.0f;
  const std::vector<Hypothesis> nbest = beam_search_nbest(model, padded({{4}}), {1}, options)[0];
  CHECK(model.steps == 2);
  REQUIRE(nbest.size() == 2);
  CHECK(nbest[0].tokens.empty());
  CHECK(nbest[1].tokens == std::vector<int64_t>{5});
  CHECK(nbest[1].log_prob == doctest::Approx(std::log(0.2)));
}

TEST_CASE("beam search with patience P stops a sentence at round(P k) finished hypotheses") {
  const auto script = early_finishers;  // "" and "5" and "4" finish by step 2, "4 6" at step 3
  BeamOptions options;
  options.beam_size = 2;
  options.length_penalty = 0.0f;
  options.patience = 2.0f;  // 4 finished hypotheses end the search
  options.n_best = 2;
  ScriptedModel patient(script);
  std::vector<Hypothesis> nbest = beam_search_nbest(patient, padded({{4}}), {1}, options)[0];
  CHECK(patient.steps == 3);
  REQUIRE(nbest.size() == 2);  // the n_best best of the four, as before
  CHECK(nbest[0].tokens.empty());
  CHECK(nbest[1].tokens == std::vector<int64_t>{5});
  options.length_penalty = 6.0f;  // now the output found only by waiting ranks first
  ScriptedModel patient_long(script);
  nbest = beam_search_nbest(patient_long, padded({{4}}), {1}, options)[0];
  CHECK(nbest[0].tokens == std::vector<int64_t>{4, 6});
  CHECK(nbest[0].log_prob == doctest::Approx(std::log(0.3 * 0.4)));
  options.patience = 1.0f;
  ScriptedModel impatient(script);
  nbest = beam_search_nbest(impatient, padded({{4}}), {1}, options)[0];
  CHECK(impatient.steps == 2);
  CHECK(nbest[0].tokens != std::vector<int64_t>{4, 6});
  options.patience = 0.5f;  // one finished hypothesis ends it, unless n_best asks for more
  options.n_best = 1;
  ScriptedModel hasty(script);
  nbest = beam_search_nbest(hasty, padded({{4}}), {1}, options)[0];
  CHECK(hasty.steps == 1);
  CHECK(nbest[0].tokens.empty());
  options.n_best = 2;
  ScriptedModel two_best(script);
  CHECK(beam_search_nbest(two_best, padded({{4}}), {1}, options)[0].size() == 2);
  CHECK(two_best.steps == 2);
}

TEST_CASE("beam search stops at the maximum length") {
  ScriptedModel model([](int64_t, int64_t, int64_t) { return dist({{4, 0.7f}, {5, 0.3f}}); });
  BeamOptions options;
  options.beam_size = 3;
  options.n_best = 3;
  options.length_penalty = 0.0f;
  options.max_len = {1.0, 1};  // 3 tokens for a source of 2
  const std::vector<Hypothesis> nbest = beam_search_nbest(model, padded({{4, 4}}), {2}, options)[0];
  CHECK(model.steps == 3);
  REQUIRE(nbest.size() == 3);
  CHECK(nbest[0].tokens == std::vector<int64_t>{4, 4, 4});
  CHECK_FALSE(nbest[0].finished);
  CHECK(nbest[0].log_prob == doctest::Approx(3 * std::log(0.7)));
  for (const Hypothesis& h : nbest) CHECK(h.tokens.size() == 3);
  CHECK(nbest[1].log_prob == doctest::Approx(2 * std::log(0.7) + std::log(0.3)));
  options.max_len = {0.0, 0};
  const Hypothesis empty = beam_search(model, padded({{4}}), {1}, options)[0];
  CHECK(empty.tokens.empty());
  CHECK_FALSE(empty.finished);
}

TEST_CASE("beam search finishes no hypothesis before the minimum length") {
  // </s> is the most probable token at every step; 4 and 5 follow.
  ScriptedModel model([](int64_t, int64_t, int64_t) {
    return dist({{kEosId, 0.5f}, {4, 0.3f}, {5, 0.2f}});
  });
  BeamOptions options;
  options.beam_size = 2;
  options.n_best = 2;
  options.length_penalty = 0.0f;
  CHECK(beam_search(model, padded({{4}}), {1}, options)[0].tokens.empty());
  options.min_len = 2;
  const std::vector<Hypothesis> nbest = beam_search_nbest(model, padded({{4}}), {1}, options)[0];
  REQUIRE(nbest.size() == 2);
  CHECK(nbest[0].tokens == std::vector<int64_t>{4, 4});
  CHECK(nbest[0].finished);
  CHECK(nbest[0].log_prob == doctest::Approx(2 * std::log(0.3) + std::log(0.5)));
  CHECK(nbest[1].tokens == std::vector<int64_t>{4, 5});
  options.min_len = 1 << 21;
  CHECK_THROWS_WITH_AS(beam_search(model, padded({{4}}), {1}, options),
                       doctest::Contains("[beam_search] min_len = 2097152 must be in"), Error);
}

TEST_CASE("beam search keeps no hypothesis with <unk> under disable_unk") {
  // <unk> is the most probable token at every step, </s> second.
  ScriptedModel model([](int64_t, int64_t, int64_t) {
    return dist({{kUnkId, 0.6f}, {kEosId, 0.25f}, {4, 0.15f}});
  });
  BeamOptions options;
  options.beam_size = 3;
  options.n_best = 3;
  options.length_penalty = 0.0f;
  options.max_len = {0.0, 3};
  const auto has_unk = [](const Hypothesis& h) {
    return std::find(h.tokens.begin(), h.tokens.end(), kUnkId) != h.tokens.end();
  };
  const auto free = beam_search_nbest(model, padded({{4}}), {1}, options)[0];
  REQUIRE(free.size() == 3);
  CHECK(std::count_if(free.begin(), free.end(), has_unk) == 2);  // <unk> </s> and <unk> <unk> </s>
  options.disable_unk = true;
  const auto nbest = beam_search_nbest(model, padded({{4}}), {1}, options)[0];
  REQUIRE(nbest.size() == 3);
  CHECK(std::none_of(nbest.begin(), nbest.end(), has_unk));
  CHECK(nbest[0].tokens.empty());  // </s> at once (0.25), then 4 </s> (0.15 * 0.25)
  CHECK(nbest[1].tokens == std::vector<int64_t>{4});
}

TEST_CASE("beam search keeps no hypothesis with an n-gram twice under no_repeat_ngram") {
  const auto repeats_bigram = [](const std::vector<int64_t>& tokens) {
    for (size_t i = 0; i + 1 < tokens.size(); ++i)
      for (size_t j = i + 1; j + 1 < tokens.size(); ++j)
        if (tokens[i] == tokens[j] && tokens[i + 1] == tokens[j + 1]) return true;
    return false;
  };
  ScriptedModel model(noisy);
  BeamOptions options;
  options.beam_size = 4;
  options.n_best = 4;
  options.max_len = {0.0, 12};
  options.min_len = 10;
  const IndexArray src = padded({{4}, {5}, {6}});
  bool repeated = false;
  for (const auto& list : beam_search_nbest(model, src, {1, 1, 1}, options))
    for (const Hypothesis& h : list) repeated = repeated || repeats_bigram(h.tokens);
  CHECK(repeated);  // the script repeats bigrams when free to
  options.no_repeat_ngram = 2;
  for (const auto& list : beam_search_nbest(model, src, {1, 1, 1}, options)) {
    CHECK_FALSE(list.empty());
    for (const Hypothesis& h : list) {
      CHECK(h.tokens.size() >= 10);
      CHECK_FALSE(repeats_bigram(h.tokens));
    }
  }
  options.no_repeat_ngram = 1 << 21;
  CHECK_THROWS_WITH_AS(beam_search(model, src, {1, 1, 1}, options),
                       doctest::Contains("[beam_search] no_repeat_ngram = 2097152 must be in"),
                       Error);
}

TEST_CASE("beam search over a batch equals one sentence at a time, in one step per time step") {
  const std::vector<std::vector<int64_t>> rows = {{4, 5, 6}, {5}, {6, 7}, {7, 4, 4, 5}};
  const std::vector<int64_t> lengths = {3, 1, 2, 4};
  BeamOptions options;
  options.beam_size = 3;
  options.n_best = 3;
  options.attention = true;
  options.max_len = {2.0, 2};
  ScriptedModel model(noisy);
  const auto batch = beam_search_nbest(model, padded(rows), lengths, options);
  CHECK(model.max_rows == 4 * 3);  // every sentence's k hypotheses in one step() call
  int64_t longest = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    ScriptedModel single(noisy);
    const auto one = beam_search_nbest(single, padded({rows[i]}), {lengths[i]}, options)[0];
    longest = std::max(longest, single.steps);
    REQUIRE(batch[i].size() == one.size());
    CHECK(one.size() == 3);
    for (size_t n = 0; n < one.size(); ++n) {
      CHECK(batch[i][n].tokens == one[n].tokens);
      CHECK(batch[i][n].score == doctest::Approx(one[n].score));
      CHECK(batch[i][n].log_prob == doctest::Approx(one[n].log_prob));
      REQUIRE(batch[i][n].attention.defined());
      CHECK(batch[i][n].attention.shape() ==
            Shape{static_cast<int64_t>(one[n].tokens.size()), lengths[i]});
      CHECK(batch[i][n].attention.to_vector() == one[n].attention.to_vector());
    }
    for (size_t n = 1; n < one.size(); ++n) CHECK(one[n - 1].score >= one[n].score);
  }
  CHECK(model.steps == longest);
  const Hypothesis& h = batch[3][0];  // row t: the weights when token t was produced
  for (int64_t t = 0; t < static_cast<int64_t>(h.tokens.size()); ++t)
    CHECK(h.attention.at({t, std::min<int64_t>(t, 3)}) == 1.0f);
}

TEST_CASE("beam search checks its options, inputs and the model's outputs") {
  ScriptedModel model(noisy);
  const IndexArray src = padded({{4, 5}});
  BeamOptions options;
  options.beam_size = 0;
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options), doctest::Contains("[beam_search]"),
                       Error);
  options.beam_size = 2;
  options.n_best = 3;
  CHECK_THROWS_WITH_AS(beam_search_nbest(model, src, {2}, options),
                       doctest::Contains("[beam_search] needs beam_size"), Error);
  options.n_best = 1;
  options.length_penalty = -0.5f;
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options),
                       doctest::Contains("[beam_search] length_penalty"), Error);
  options.length_penalty = 0.6f;
  for (float patience : {0.0f, -1.0f, std::nanf(""), 1001.0f}) {
    options.patience = patience;
    CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options),
                         doctest::Contains("[beam_search] patience = "), Error);
  }
  options.patience = 1.0f;
  options.length_penalty = -0.5f;
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2, 2}), doctest::Contains("[beam_search]"), Error);
  CHECK_THROWS_WITH_AS(beam_search(model, src, {0}), doctest::Contains("[beam_search]"), Error);
  ScriptedModel narrow([](int64_t, int64_t, int64_t) { return std::vector<float>{0.5f, 0.5f}; }, 2);
  CHECK_THROWS_WITH_AS(beam_search(narrow, src, {2}),
                       doctest::Contains("[beam_search] step returned"), Error);
  model.bad_attention = true;
  options.length_penalty = 0.6f;
  options.attention = true;
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options),
                       doctest::Contains("[beam_search] last_attention (1, 3)"), Error);
}

TEST_CASE("beam search refuses a beam past 1,000 and a negative or huge length limit") {
  ScriptedModel model(noisy);
  const IndexArray src = padded({{4, 5}});
  BeamOptions options;
  options.beam_size = 100000;  // ran out of memory after 20 s
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options),
                       doctest::Contains("[beam_search] beam_size = 100000 must be in [1, 1000]"),
                       Error);
  CHECK(model.steps == 0);  // refused before the first step
  options.beam_size = 2;
  options.max_len = {-1.0, 10};  // silently gave empty outputs
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options),
                       doctest::Contains("[beam_search] max_len a = -1, b = 10 must be in"), Error);
  options.max_len = {1.5, -3};
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options),
                       doctest::Contains("[beam_search] max_len a = 1.5, b = -3"), Error);
  options.max_len = {1e300, 0};
  CHECK_THROWS_WITH_AS(beam_search(model, src, {2}, options),
                       doctest::Contains("[beam_search] max_len"), Error);
}
