#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/autograd/tensor.h"
#include "ember/core/error.h"
#include "ember/seq2seq/search/greedy.h"
#include "support/scripted_model.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::dist;
using testing::noisy;
using testing::padded;
using testing::ScriptedModel;

TEST_CASE("greedy search follows the argmax path and stops at </s>") {
  ScriptedModel model([](int64_t, int64_t previous, int64_t) {
    if (previous == kBosId) return dist({{5, 0.6f}, {4, 0.4f}});
    if (previous == 5) return dist({{6, 0.7f}, {kEosId, 0.3f}});
    return dist({{kEosId, 0.9f}, {7, 0.1f}});
  });
  const std::vector<Hypothesis> out = greedy_search(model, padded({{4, 4}}), {2});
  REQUIRE(out.size() == 1);
  CHECK(out[0].tokens == std::vector<int64_t>{5, 6});
  CHECK(out[0].finished);
  CHECK(out[0].log_prob == doctest::Approx(std::log(0.6) + std::log(0.7) + std::log(0.9)));
  CHECK(out[0].score == out[0].log_prob);
  CHECK_FALSE(out[0].attention.defined());  // not asked for
  CHECK(model.steps == 3);
}

TEST_CASE("greedy search never emits <pad> or <s>") {
  ScriptedModel model([](int64_t, int64_t previous, int64_t) {
    if (previous == kBosId) return dist({{kPadId, 0.5f}, {kBosId, 0.3f}, {6, 0.2f}});
    return dist({{kEosId, 1.0f}});
  });
  CHECK(greedy_search(model, padded({{4}}), {1})[0].tokens == std::vector<int64_t>{6});
}

TEST_CASE("greedy search emits <unk> unless disable_unk, then the next best token") {
  ScriptedModel model([](int64_t, int64_t previous, int64_t) {
    if (previous == kBosId) return dist({{kUnkId, 0.5f}, {6, 0.3f}, {7, 0.2f}});
    return dist({{kEosId, 1.0f}});
  });
  CHECK(greedy_search(model, padded({{4}}), {1})[0].tokens == std::vector<int64_t>{kUnkId});
  GreedyOptions options;
  options.disable_unk = true;
  const Hypothesis h = greedy_search(model, padded({{4}}), {1}, options)[0];
  CHECK(h.tokens == std::vector<int64_t>{6});
  CHECK(h.log_prob == doctest::Approx(std::log(0.3)));
}

TEST_CASE("greedy search stops at the maximum length relative to the source") {
  ScriptedModel model([](int64_t, int64_t, int64_t) { return dist({{4, 0.9f}, {kEosId, 0.1f}}); });
  GreedyOptions options;
  options.max_len = {0.0, 3};
  Hypothesis h = greedy_search(model, padded({{5, 5}}), {2}, options)[0];
  CHECK(h.tokens == std::vector<int64_t>{4, 4, 4});
  CHECK_FALSE(h.finished);
  CHECK(h.log_prob == doctest::Approx(3 * std::log(0.9)));
  options.max_len = {1.5, 1};  // floor(1.5 * 3 + 1) = 5 and floor(1.5 * 1 + 1) = 2
  const std::vector<Hypothesis> out =
      greedy_search(model, padded({{5, 5, 5}, {5}}), {3, 1}, options);
  CHECK(out[0].tokens.size() == 5);
  CHECK(out[1].tokens.size() == 2);
  options.max_len = {0.0, 0};
  CHECK(greedy_search(model, padded({{5}}), {1}, options)[0].tokens.empty());
  CHECK(LengthLimit{2.0, -10}(3) == 0);
}

TEST_CASE("greedy search emits no </s> before the minimum length, and the maximum length wins") {
  // </s> is the most probable token at every step; 6 the runner-up.
  ScriptedModel model([](int64_t, int64_t, int64_t) { return dist({{kEosId, 0.6f}, {6, 0.4f}}); });
  GreedyOptions options;
  CHECK(greedy_search(model, padded({{4}}), {1}, options)[0].tokens.empty());
  options.min_len = 2;
  Hypothesis h = greedy_search(model, padded({{4}}), {1}, options)[0];
  CHECK(h.tokens == std::vector<int64_t>{6, 6});
  CHECK(h.finished);
  CHECK(h.log_prob == doctest::Approx(2 * std::log(0.4) + std::log(0.6)));
  options.max_len = {0.0, 3};
  options.min_len = 5;  // past the maximum length: the output stops there, without </s>
  h = greedy_search(model, padded({{4}}), {1}, options)[0];
  CHECK(h.tokens == std::vector<int64_t>{6, 6, 6});
  CHECK_FALSE(h.finished);
  options.min_len = -1;
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4}}), {1}, options),
                       doctest::Contains("[greedy_search] min_len = -1 must be in [0, 1048576]"),
                       Error);
}

TEST_CASE("the tokens that would repeat an n-gram") {
  const std::vector<int64_t> tokens = {4, 5, 4, 5, 4};
  using search_detail::repeated_ngram_ends;
  CHECK(repeated_ngram_ends(tokens, 0).empty());                                 // off
  CHECK(repeated_ngram_ends(tokens, 1) == std::vector<int64_t>{4, 5, 4, 5, 4});  // every token
  CHECK(repeated_ngram_ends(tokens, 2) == std::vector<int64_t>{5, 5});  // 4 was followed by 5
  CHECK(repeated_ngram_ends(tokens, 3) == std::vector<int64_t>{5});     // 5 4 -> 5
  CHECK(repeated_ngram_ends(tokens, 6).empty());
  CHECK(repeated_ngram_ends({}, 2).empty());
}

TEST_CASE("greedy search emits no n-gram twice with no_repeat_ngram") {
  // 4 is the most probable token at every step, then 5, then </s>.
  ScriptedModel model([](int64_t, int64_t, int64_t) {
    return dist({{4, 0.5f}, {5, 0.3f}, {kEosId, 0.2f}});
  });
  GreedyOptions options;
  options.max_len = {0.0, 5};
  CHECK(greedy_search(model, padded({{4}}), {1}, options)[0].tokens ==
        std::vector<int64_t>{4, 4, 4, 4, 4});
  options.no_repeat_ngram = 2;  // 4 4 once, then 4 5, then 5 4; then 4 4 and 4 5 are taken
  Hypothesis h = greedy_search(model, padded({{4}}), {1}, options)[0];
  CHECK(h.tokens == std::vector<int64_t>{4, 4, 5, 4});
  CHECK(h.finished);
  CHECK(h.log_prob ==
        doctest::Approx(3 * std::log(0.5) + std::log(0.3) + std::log(0.2)).epsilon(1e-5));
  options.no_repeat_ngram = 1;
  CHECK(greedy_search(model, padded({{4}}), {1}, options)[0].tokens == std::vector<int64_t>{4, 5});
  // Every token banned and </s> not yet allowed: the output stops there, without </s>.
  ScriptedModel all([](int64_t, int64_t, int64_t) {
    return dist({{kUnkId, 0.2f}, {4, 0.2f}, {5, 0.2f}, {6, 0.2f}, {7, 0.1f}, {kEosId, 0.1f}});
  });
  options.max_len = {0.0, 10};
  options.min_len = 10;
  h = greedy_search(all, padded({{4}}), {1}, options)[0];
  CHECK(h.tokens.size() == 5);
  CHECK_FALSE(h.finished);
  options.no_repeat_ngram = -1;
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4}}), {1}, options),
                       doctest::Contains("[greedy_search] no_repeat_ngram = -1 must be in"), Error);
}

TEST_CASE("greedy search over a batch equals one sentence at a time") {
  ScriptedModel model(noisy);
  const std::vector<std::vector<int64_t>> rows = {{4, 5, 6}, {5}, {6, 7}, {7, 4, 4, 5}};
  const std::vector<int64_t> lengths = {3, 1, 2, 4};
  GreedyOptions options;
  options.attention = true;
  options.max_len = {2.0, 2};
  const std::vector<Hypothesis> batch = greedy_search(model, padded(rows), lengths, options);
  bool some_differ = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    ScriptedModel single(noisy);
    const Hypothesis one = greedy_search(single, padded({rows[i]}), {lengths[i]}, options)[0];
    CHECK(batch[i].tokens == one.tokens);
    CHECK(batch[i].log_prob == doctest::Approx(one.log_prob));
    CHECK(batch[i].finished == one.finished);
    REQUIRE(batch[i].attention.defined());
    CHECK(batch[i].attention.shape() == Shape{static_cast<int64_t>(one.tokens.size()), lengths[i]});
    CHECK(batch[i].attention.to_vector() == one.attention.to_vector());
    some_differ = some_differ || batch[i].tokens != batch[0].tokens;
  }
  CHECK(some_differ);  // the sentences really are decoded differently
  // Row t of the attention is the model's weights when it produced token t.
  const Hypothesis& h = batch[3];
  for (int64_t t = 0; t < static_cast<int64_t>(h.tokens.size()); ++t)
    CHECK(h.attention.at({t, std::min<int64_t>(t, 3)}) == 1.0f);
}

TEST_CASE("greedy search checks its inputs and the model's outputs") {
  ScriptedModel model(noisy);
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4, 5}}), {2, 1}),
                       doctest::Contains("[greedy_search]"), Error);
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4, 5}}), {3}),
                       doctest::Contains("[greedy_search]"), Error);
  ScriptedModel narrow([](int64_t, int64_t, int64_t) { return std::vector<float>{0.5f, 0.5f}; }, 2);
  CHECK_THROWS_WITH_AS(greedy_search(narrow, padded({{4}}), {1}),
                       doctest::Contains("[greedy_search] step returned"), Error);
  model.bad_attention = true;
  GreedyOptions options;
  options.attention = true;
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4}, {5}}), {1, 1}, options),
                       doctest::Contains("[greedy_search] last_attention (1, 2)"), Error);
}

TEST_CASE("greedy search refuses a negative or huge length limit") {
  ScriptedModel model(noisy);
  GreedyOptions options;
  options.max_len = {2.0, -10};  // silently gave empty outputs
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4, 5}}), {2}, options),
                       doctest::Contains("[greedy_search] max_len a = 2, b = -10 must be in"),
                       Error);
  options.max_len = {std::nan(""), 1};
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4, 5}}), {2}, options),
                       doctest::Contains("[greedy_search] max_len a = nan"), Error);
  options.max_len = {0.0, int64_t{1} << 40};
  CHECK_THROWS_WITH_AS(greedy_search(model, padded({{4, 5}}), {2}, options),
                       doctest::Contains("[greedy_search] max_len"), Error);
}
