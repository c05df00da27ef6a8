// The probing lab end to end with a budget of seconds: every (task, model, bucket) measured and
// reported, the scores agreeing with a decoding of the test split done here (the flags of
// `ember probe`: test_probe_flags.cpp).
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/data/agreement_grammar.h"
#include "ember/seq2seq/lab/probe.h"
#include "ember/seq2seq/lab/probe_report.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

using namespace ember::seq2seq;
using namespace ember::seq2seq::lab;
namespace fs = std::filesystem;

namespace {

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Three tasks x four models, three updates each on sequences of 5..13 tokens.
ProbeOptions tiny_options() {
  ProbeOptions o = probe_defaults(true);
  o.corpus.train_size = 60;
  o.corpus.valid_size = 9;
  o.corpus.test_size = 24;
  o.corpus.min_length = 5;
  o.corpus.max_length = 13;
  o.corpus.num_buckets = 3;
  o.train.max_steps = 3;
  o.train.warmup_steps = 1;
  o.train.eval_every = 3;
  o.train.max_tokens = 256;
  o.train.log_every = 1;
  return o;
}

// Per distance 1..buckets, the share of a grammar run's test sentences whose target the model
// scores above its contrastive twin, recomputed here by forced decoding.
std::vector<double> shares_preferring_target(const std::string& run_dir, const std::string& task,
                                             size_t buckets) {
  LoadedRun run = load_run(run_dir);
  const ParallelText test = load_split(run.config.data, "test");
  std::vector<std::string> wrong;
  for (const std::string& target : test.target) wrong.push_back(contrastive_twin(task, target));
  const auto right = score_targets(*run.model, *run.source_tokenizer, *run.target_tokenizer,
                                   test.source, test.target);
  const auto other = score_targets(*run.model, *run.source_tokenizer, *run.target_tokenizer,
                                   test.source, wrong);
  std::vector<double> preferred(buckets, 0.0), count(buckets, 0.0);
  for (int64_t i = 0; i < test.size(); ++i) {
    const auto d = static_cast<size_t>(probing_length(task, test.source[i]) - 1);
    preferred[d] += right[i].log_prob > other[i].log_prob;
    count[d] += 1.0;
  }
  for (size_t b = 0; b < buckets; ++b) preferred[b] /= count[b];
  return preferred;
}

size_t count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

}  // namespace

TEST_CASE("a tiny probe measures and reports every task, model and length bucket") {
  const std::string dir = fresh_dir("ember_probe_smoke");
  const ProbeOptions options = tiny_options();
  std::vector<std::string> notes;
  const ProbeResult result =
      run_probe(options, dir, {.note = [&](const std::string& l) { notes.push_back(l); }}, nullptr);
  CHECK_FALSE(result.interrupted);
  REQUIRE(result.buckets.size() == 3);
  REQUIRE(result.cells.size() == 12);
  CHECK(notes.size() == 24);  // a line before and after each run
  for (const std::string& task : options.tasks) {
    const int64_t reference = result.cell(task, "lstm").parameters;
    for (const std::string& model : options.models) {
      CAPTURE(task);
      CAPTURE(model);
      const ProbeCell& c = result.cell(task, model);
      CHECK(c.steps == 3);
      CHECK(c.train_seconds > 0.0);
      CHECK(c.cpu_seconds >= 0.0);
      CHECK(std::abs(static_cast<double>(c.parameters - reference)) <= 0.1 * reference);
      REQUIRE(c.exact.size() == 3);
      REQUIRE(c.tokens.size() == 3);
      CHECK(c.counts == std::vector<int64_t>{8, 8, 8});
      double weighted = 0.0;
      for (size_t b = 0; b < 3; ++b) {
        CHECK(c.exact[b] >= 0.0);
        CHECK(c.exact[b] <= 1.0);
        CHECK(c.tokens[b] >= 0.0);
        CHECK(c.tokens[b] <= 1.0);
        CHECK(c.tokens[b] >= c.exact[b]);  // an exact output has token accuracy 1
        weighted += c.exact[b] * 8.0 / 24.0;
      }
      CHECK(c.exact_all == doctest::Approx(weighted));
      CHECK(fs::exists(dir + "/runs/" + task + "-" + model + "/checkpoints/last.safetensors"));
    }
  }

  // The scores are those of a greedy decoding of the test split with the run's best weights.
  LoadedRun run = load_run(dir + "/runs/reverse-convs2s");
  const ParallelText test = load_split(run.config.data, "test");
  const auto outputs =
      translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, test.source);
  double tokens = 0.0;
  for (int64_t i = 0; i < test.size(); ++i) {
    tokens += probe_token_accuracy(outputs[i].text, test.target[i]) / test.size();
  }
  CHECK(result.cell("reverse", "convs2s").tokens_all == doctest::Approx(tokens));
  CHECK(result.cell("reverse", "convs2s").exact_all ==
        doctest::Approx(exact_match(hypotheses(outputs), test.target) / 100.0));

  write_probe_report(result, dir, "ember probe --tiny");
  const std::string md = read_text(dir + "/probe.md");
  const std::string svg = read_text(dir + "/probe.svg");
  const std::string csv = read_text(dir + "/probe.csv");
  CHECK(contains(md, "`ember probe --tiny`"));
  CHECK(contains(md, "| task | model | parameters | 5-7 | 8-10 | 11-13 | all |"));
  CHECK(contains(md, "](probe.svg)"));
  CHECK(contains(svg, "<svg"));
  CHECK(count_lines(csv) == 1 + 12 * 3);
  for (const std::string& task : options.tasks) {
    CHECK(contains(svg, task + ": exact match"));
    CHECK(contains(svg, task + ": token accuracy"));
    CHECK(contains(md, "- " + task + ": at lengths 5-7 exact match "));
    for (const std::string& model : options.models) {
      CHECK(contains(svg, ">" + model + "<"));
      CHECK(contains(
          md, fmt::format("| {} | {} | {} |", task, model, result.cell(task, model).parameters)));
      for (const char* bucket : {",5-7,5,7,8,", ",8-10,8,10,8,", ",11-13,11,13,8,"}) {
        CHECK(contains(csv, task + "," + model + bucket));
      }
    }
  }
  const std::vector<std::string> findings = probe_findings(result);
  CHECK(findings.size() == 3 * 5 + 1);

  CHECK_THROWS_WITH_AS(run_probe(options, dir, {}, nullptr), doctest::Contains("already holds"),
                       ember::Error);
  fs::remove_all(dir);
}

TEST_CASE("the agreement probe scores each test sentence against its contrastive twin") {
  const std::string dir = fresh_dir("ember_probe_agreement");
  ProbeOptions options = tiny_options();
  const ProbeOptions recipe = grammar_defaults("agreement", true);
  options.tasks = recipe.tasks;
  options.corpus.min_length = 1;
  options.corpus.max_length = 3;
  options.models = {"lstm+additive"};
  const ProbeResult result = run_probe(options, dir, {}, nullptr);
  const ProbeCell& c = result.cell("agreement", "lstm+additive");
  REQUIRE(c.contrastive.size() == 3);  // distances 1, 2 and 3
  CHECK(c.counts == std::vector<int64_t>{8, 8, 8});

  // The share is that of test sentences whose target outscores the twin, by forced decoding.
  const std::vector<double> expected =
      shares_preferring_target(dir + "/runs/agreement-lstm+additive", "agreement", 3);
  for (size_t b = 0; b < 3; ++b) CHECK(c.contrastive[b] == doctest::Approx(expected[b]));

  write_probe_report(result, dir, "ember probe --agreement");
  const std::string md = read_text(dir + "/probe.md");
  CHECK(contains(md, "# Probing tasks: agreement against agreement distance"));
  CHECK(contains(md, "## Agreement, scored contrastively"));
  CHECK(contains(md, "| task | model | 1 | 2 | 3 | all |"));
  CHECK(contains(md, "the right verb form preferred in"));
  CHECK(contains(read_text(dir + "/probe.svg"), "agreement: contrastive"));
  CHECK(contains(read_text(dir + "/probe.csv"),
                 fmt::format("agreement,lstm+additive,1,1,1,8,{:.6f},{:.6f},{:.6f}", c.exact[0],
                             c.tokens[0], c.contrastive[0])));

  options.tasks = {"copy", "agreement"};
  CHECK_THROWS_WITH_AS(validate(options), doctest::Contains("probe it alone"), ember::Error);
  fs::remove_all(dir);
}

TEST_CASE("the sense probe scores by distance to the cue, contrastively, and probes alone") {
  const std::string dir = fresh_dir("ember_probe_sense");
  ProbeOptions options = tiny_options();
  options.tasks = grammar_defaults("sense", true).tasks;
  options.corpus.min_length = 1;
  options.corpus.max_length = 2;
  options.corpus.num_buckets = 2;
  options.models = {"transformer"};
  const ProbeResult result = run_probe(options, dir, {}, nullptr);
  const ProbeCell& c = result.cell("sense", "transformer");
  REQUIRE(c.contrastive.size() == 2);  // distances 1 and 2
  CHECK(c.counts == std::vector<int64_t>{12, 12});

  const std::vector<double> expected =
      shares_preferring_target(dir + "/runs/sense-transformer", "sense", 2);
  for (size_t b = 0; b < 2; ++b) CHECK(c.contrastive[b] == doctest::Approx(expected[b]));

  write_probe_report(result, dir, "ember probe --sense");
  const std::string md = read_text(dir + "/probe.md");
  CHECK(contains(md, "## Word sense, scored contrastively"));
  CHECK(contains(md, "the right sense preferred in"));
  CHECK(contains(read_text(dir + "/probe.svg"), "sense distance (nouns to the cue)"));

  options.tasks = {"sense", "copy"};
  CHECK_THROWS_WITH_AS(validate(options), doctest::Contains("sense's buckets are distances"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(grammar_defaults("copy", true), doctest::Contains("not a grammar task"),
                       ember::Error);
  fs::remove_all(dir);
}

TEST_CASE("a stopped probe says so and writes no report") {
  const std::string dir = fresh_dir("ember_probe_stop");
  ProbeOptions options = tiny_options();
  options.tasks = {"copy"};
  options.models = {"lstm"};
  const std::atomic<bool> stop{true};
  const ProbeResult result = run_probe(options, dir, {}, &stop);
  CHECK(result.interrupted);
  CHECK(result.cells.empty());
  CHECK_THROWS_WITH_AS(write_probe_report(result, dir, "ember probe"),
                       doctest::Contains("interrupted"), ember::Error);
  CHECK_FALSE(fs::exists(dir + "/probe.md"));
  fs::remove_all(dir);
}

TEST_CASE("token accuracy counts the positions that agree over the longer sequence") {
  CHECK(probe_token_accuracy("a b c", "a b c") == 1.0);
  CHECK(probe_token_accuracy("a x c", "a b c") == doctest::Approx(2.0 / 3.0));
  CHECK(probe_token_accuracy("a b", "a b c d") == doctest::Approx(0.5));
  CHECK(probe_token_accuracy("a b c d", "a b") == doctest::Approx(0.5));
  CHECK(probe_token_accuracy("b c d", "a b c") == 0.0);  // shifted by one: nothing agrees
  CHECK(probe_token_accuracy("", "a") == 0.0);
  CHECK(probe_token_accuracy("", "") == 1.0);
}

TEST_CASE("the report's sentences print each value as its tables do, extrapolation named") {
  ProbeResult result;
  result.options = tiny_options();
  result.options.tasks = {"sort"};
  result.options.models = {"lstm", "convs2s"};
  result.options.corpus.test_max_length = 26;
  result.buckets = length_buckets(result.options.corpus);
  REQUIRE(result.buckets.size() == 4);  // 5-7, 8-10, 11-13, then 14-26 past the trained lengths
  const auto cell = [&](const std::string& model, double first) {
    return ProbeCell{.task = "sort", .model = model, .parameters = 1, .steps = 3,
                     .counts = {40, 40, 40, 40}, .exact = {first, 0.5, 0.25, 0.0},
                     .tokens = {1.0, 0.75, 0.5, 0.25}};
  };
  // 117/120 = 0.975 prints as 0.97 (the double just below 0.975), 0.98 as 0.98.
  result.cells = {cell("lstm", 117.0 / 120.0), cell("convs2s", 0.98)};
  const std::string dir = fresh_dir("ember_probe_printed");
  write_probe_report(result, dir, "ember probe --test-max-length 26");
  const std::string md = read_text(dir + "/probe.md");
  CHECK(contains(md, "| sort | lstm | 1 | 0.97 |"));
  CHECK(contains(md, "from 0.97 (lstm) to 0.98 (convs2s)"));
  CHECK(contains(md, "The buckets past 13 tokens hold lengths no model was trained on"));
  CHECK(contains(md, "up to 26 tokens"));
  fs::remove_all(dir);
}
