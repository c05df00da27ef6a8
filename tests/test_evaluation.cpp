#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/train/evaluation.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

const std::vector<std::string> kLines = {"abc", "ba", "cab", "aaaa", "c"};

}  // namespace

TEST_CASE("translate keeps the input order, ends sources with </s>, batches within budget") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  model->train();
  DecodeOptions options{.max_len = {0.0, 3}, .max_tokens = 6, .attention = true};
  const std::vector<Translation> out = translate(*model, tok, tok, kLines, options);
  REQUIRE(out.size() == kLines.size());
  CHECK(model->is_training());  // the mode is restored
  for (size_t i = 0; i < kLines.size(); ++i) {
    std::vector<int64_t> expected = tok.encode(kLines[i]);
    expected.push_back(kEosId);
    CHECK(out[i].source == expected);
    CHECK(out[i].tokens.size() <= 3);
    CHECK(out[i].text == tok.decode(out[i].tokens));
    REQUIRE(out[i].attention.defined());
    CHECK(out[i].attention.size(1) == static_cast<int64_t>(expected.size()));
  }
  // Each sentence alone gives the same output as in a batch (padding changes nothing).
  for (size_t i = 0; i < kLines.size(); ++i) {
    CHECK(translate(*model, tok, tok, {kLines[i]}, options)[0].tokens == out[i].tokens);
  }
  const std::vector<Translation> beam =
      translate(*model, tok, tok, kLines, {.beam_size = 3, .max_len = {0.0, 3}});
  CHECK(beam.size() == kLines.size());
  CHECK(hypotheses(beam).size() == kLines.size());
}

TEST_CASE("translate cuts long sources and refuses bad options") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  const auto out = translate(*model, tok, tok, {"aaaa"}, {.max_source_tokens = 2});
  CHECK(out[0].source.size() == 3);  // 2 tokens and </s>
  CHECK_THROWS_WITH_AS(translate(*model, tok, tok, kLines, {.beam_size = 0}),
                       doctest::Contains("[translate]"), ember::Error);
  CHECK_THROWS_WITH_AS(translate(*model, tok, tok, kLines, {.max_tokens = 0}),
                       doctest::Contains("[translate]"), ember::Error);
}

TEST_CASE("translate leaves empty and blank lines empty and undecoded, in their places") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  const std::vector<std::string> lines = {"abc", "", " \t ", "ba", "\r"};
  const DecodeOptions options{.max_len = {0.0, 3}};
  const std::vector<Translation> out = translate(*model, tok, tok, lines, options);
  REQUIRE(out.size() == lines.size());
  for (const size_t blank : {1, 2, 4}) {
    INFO(blank);
    CHECK(out[blank].text.empty());
    CHECK(out[blank].source.empty());
    CHECK(out[blank].tokens.empty());
  }
  CHECK(out[0].tokens == translate(*model, tok, tok, {"abc"}, options)[0].tokens);
  CHECK(out[3].tokens == translate(*model, tok, tok, {"ba"}, options)[0].tokens);
  CHECK(translate(*model, tok, tok, {""}, {.beam_size = 3})[0].source.empty());
}

TEST_CASE("translate marks the sources it cut and caps outputs at max_output_tokens") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  const std::string huge(100000, 'a');
  const std::vector<Translation> out =
      translate(*model, tok, tok, {"ab", huge, "c"}, {.max_source_tokens = 3});
  CHECK_FALSE(out[0].source_cut);
  CHECK(out[1].source_cut);
  CHECK(out[1].source == std::vector<int64_t>{tok.id_of("a"), tok.id_of("a"), tok.id_of("a"),
                                              kEosId});
  CHECK(count_cut_sources(out) == 1);
  // max_len allows 50 or more tokens; the cap holds every output to 2 (capped and uncapped rows
  // are decoded in separate batches).
  for (const auto& t : translate(*model, tok, tok, kLines,
                                 {.max_len = {10.0, 20}, .max_output_tokens = 2})) {
    CHECK(t.tokens.size() <= 2);
  }
  const std::vector<Translation> mixed = translate(
      *model, tok, tok, {"c", "aaaa"}, {.max_len = {1.0, 0}, .max_output_tokens = 3});
  CHECK(mixed[0].tokens.size() <= 2);
  CHECK(mixed[1].tokens.size() <= 3);
  CHECK_THROWS_WITH_AS(translate(*model, tok, tok, kLines, {.max_output_tokens = -1}),
                       doctest::Contains("[translate]"), ember::Error);
}

TEST_CASE("validation loss is the mean cross-entropy per target token") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  std::vector<Example> examples;
  for (const std::string& line : kLines) examples.push_back({tok.encode(line), tok.encode(line)});
  const double loss = validation_loss(*model, examples, 4);  // budget below the longest: widened
  // An untrained model is near uniform over the vocabulary.
  CHECK(loss == doctest::Approx(std::log(static_cast<double>(tok.vocab_size()))).epsilon(0.2));
  CHECK(validation_loss(*model, {examples[0]}, 64) != doctest::Approx(loss));
  CHECK(std::isnan(validation_loss(*model, {}, 64)));
}

TEST_CASE("scores: exact match, BLEU and chrF, ROUGE on 0..100") {
  const std::vector<std::string> refs = {"1998-03-03", "2001-12-25"};
  CHECK(exact_match({"1998-03-03", "2001-12-24"}, refs) == 50.0);
  const Scores exact = score_outputs(MetricKind::kExact, {"1998-03-03", "2001-12-25"}, refs);
  REQUIRE(exact.size() == 1);
  CHECK(exact[0].first == "exact_match");
  CHECK(exact[0].second == 100.0);

  const std::vector<std::string> text = {"the cat sat on the mat", "a dog ran in the park"};
  const Scores bleu = score_outputs(MetricKind::kBleu, text, text, "none");
  REQUIRE(bleu.size() == 2);
  CHECK(bleu[0].first == "bleu");
  CHECK(bleu[0].second == doctest::Approx(100.0));
  CHECK(bleu[1].first == "chrf");
  CHECK(bleu[1].second == doctest::Approx(100.0));

  const Scores rouge = score_outputs(MetricKind::kRouge, {"the cat sat"}, {"the cat ran"});
  REQUIRE(rouge.size() == 3);
  CHECK(rouge[0].first == "rouge1");
  CHECK(rouge[0].second == doctest::Approx(200.0 / 3.0));  // 2 of 3 unigrams
  CHECK(rouge[1].second == doctest::Approx(50.0));         // 1 of 2 bigrams
  CHECK(rouge[2].first == "rougeL");
  CHECK(score_names(MetricKind::kRouge) == std::vector<std::string>{"rouge1", "rouge2", "rougeL"});
}

TEST_CASE("scores refuse an unknown metric or mismatched lists") {
  CHECK_THROWS_WITH_AS(metric_names().parse("meteor"),
                       "[evaluation] unknown metric 'meteor' (expected one of: exact, bleu, rouge)",
                       ember::Error);
  CHECK(metric_names().parse("rouge") == MetricKind::kRouge);
  CHECK(std::string(to_string(MetricKind::kExact)) == "exact");
  CHECK_THROWS_WITH_AS(exact_match({"a"}, {"a", "b"}), doctest::Contains("[evaluation]"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(score_outputs(MetricKind::kBleu, {}, {}), doctest::Contains("[evaluation]"),
                       ember::Error);
}

TEST_CASE("translate refuses a beam past 1,000 and negative length limits up front") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = ember::testing::tiny_attention_model(tok);
  CHECK_THROWS_WITH_AS(translate(*model, tok, tok, kLines, {.beam_size = 100000}),
                       doctest::Contains("[translate] beam_size = 100000 must be in [1, 1000]"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(translate(*model, tok, tok, kLines, {.max_len = {-1.0, 10}}),
                       doctest::Contains("[translate] max_len a = -1, b = 10"), ember::Error);
  CHECK_THROWS_WITH_AS(translate(*model, tok, tok, kLines, {.max_len = {1.5, -1}}),
                       doctest::Contains("[translate] max_len"), ember::Error);
  CHECK_THROWS_WITH_AS(
      translate(*model, tok, tok, kLines, {.beam_size = 2, .length_penalty = -1.0f}),
      doctest::Contains("[translate] length_penalty = -1"), ember::Error);
}
