// The comparison lab end to end at a tiny budget (a few updates on a small dates corpus): every
// contender trained on the same batches and measured, the report directory written with its table,
// CSV files and figures (the command line: test_compare_flags.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/lab/compare.h"
#include "ember/seq2seq/lab/lineup.h"
#include "ember/seq2seq/lab/report.h"
#include "support/files.h"

using namespace ember;
using namespace ember::seq2seq;
using ember::testing::read_file;
using ember::testing::TempDir;

namespace {

lab::CompareOptions tiny_budget(const std::string& out_dir) {
  lab::CompareOptions o = lab::quick_options();
  o.run.data.dates_train_size = 300;
  o.run.data.dates_valid_size = 40;
  o.run.data.dates_test_size = 30;
  o.run.train.max_steps = 6;
  o.run.train.max_tokens = 512;
  o.run.train.eval_every = 3;
  o.run.train.log_every = 2;
  o.run.train.eval_sentences = 8;
  o.run.train.warmup_steps = 2;
  o.test_sentences = 20;
  o.beam_size = 2;
  o.length_buckets = 3;
  o.target_loss = 0.0;  // automatic: a level every model reaches
  o.out_dir = out_dir;
  return o;
}

bool finite_positive(double x) { return std::isfinite(x) && x > 0.0; }

}  // namespace

TEST_CASE("compare: every contender trained on the same batches, measured, and reported") {
  TempDir dir("lab_compare");
  const lab::CompareOptions options = tiny_budget(dir.file("report"));
  std::set<std::string> progress_names;
  const lab::Comparison c = lab::run_comparison(
      options, [&](const std::string& name, const ProgressEvent&) { progress_names.insert(name); },
      nullptr);
  lab::write_report(c);

  const std::vector<lab::Contender> lineup = lab::lineup("tiny", c.src_vocab, c.tgt_vocab);
  REQUIRE(c.contenders.size() == lineup.size());
  CHECK(progress_names.size() == lineup.size());
  CHECK_FALSE(c.interrupted);
  CHECK(c.test_sentences == 20);
  CHECK(c.score_name == "exact_match");
  REQUIRE_FALSE(c.buckets.empty());
  int64_t bucketed = 0;
  for (const lab::LengthBucket& b : c.buckets) {
    CHECK(b.min_tokens <= b.max_tokens);
    CHECK(b.mean_tokens >= static_cast<double>(b.min_tokens));
    CHECK(b.mean_tokens <= static_cast<double>(b.max_tokens));
    bucketed += b.sentences;
  }
  CHECK(bucketed == 20);

  const double trained_tokens = c.contenders[0].tokens_per_s * c.contenders[0].train_seconds;
  for (size_t i = 0; i < c.contenders.size(); ++i) {
    const lab::ContenderResult& r = c.contenders[i];
    CAPTURE(r.name);
    CHECK(r.name == lineup[i].name);
    CHECK(r.parameters == lineup[i].parameters);
    CHECK(r.steps == 6);
    CHECK(finite_positive(r.tokens_per_s));
    CHECK(finite_positive(r.train_seconds));
    CHECK(r.wall_seconds >= r.train_seconds);
    CHECK(finite_positive(r.cpu_seconds));
    // The same batches: the same target tokens trained on, whatever the speed.
    CHECK(r.tokens_per_s * r.train_seconds == doctest::Approx(trained_tokens).epsilon(1e-6));
    REQUIRE(r.curve.size() == 2);  // evaluations at updates 3 and 6
    CHECK(r.curve[0].step == 3);
    CHECK(r.curve[1].step == 6);
    CHECK(r.curve[0].train_seconds < r.curve[1].train_seconds);
    // The CPU time of the updates: recorded at each evaluation, within the run's CPU time.
    CHECK(finite_positive(r.curve[0].train_cpu_seconds));
    CHECK(r.curve[0].train_cpu_seconds < r.curve[1].train_cpu_seconds);
    CHECK(r.curve[1].train_cpu_seconds <= r.cpu_seconds);
    CHECK(finite_positive(r.best_valid_loss));
    // The automatic target is a loss every model reaches.
    CHECK(std::isfinite(r.seconds_to_target));
    CHECK(r.best_valid_loss <= c.target_loss);
    for (double score : {r.greedy_score, r.beam_score}) {
      CHECK(score >= 0.0);
      CHECK(score <= 100.0);
    }
    CHECK(finite_positive(r.greedy_sentences_per_s));
    CHECK(finite_positive(r.beam_sentences_per_s));
    CHECK(r.bucket_scores.size() == c.buckets.size());
    CHECK(std::filesystem::exists(r.run_dir + "/config.json"));
  }
  // The target is the highest of the lowest losses: one model's best equals it.
  bool someone_at_target = false;
  for (const lab::ContenderResult& r : c.contenders)
    someone_at_target = someone_at_target || r.best_valid_loss == c.target_loss;
  CHECK(someone_at_target);

  // Attention figures: none for the LSTM, one for each RNN attention model and the Transformer,
  // one per decoder layer for ConvS2S.
  CHECK(c.contenders[0].attention.empty());
  for (size_t i = 1; i <= 4; ++i) CHECK(c.contenders[i].attention.size() == 1);
  CHECK(c.contenders[5].attention.size() == static_cast<size_t>(lineup[5].model.decoder_layers));
  CHECK(c.contenders[6].attention.size() == 1);
  for (const lab::ContenderResult& r : c.contenders)
    for (const lab::AttentionFigure& f : r.attention) {
      CAPTURE(f.file);
      const core::NDArray& w = f.heatmap.values;
      REQUIRE(w.dim() == 2);
      CHECK(static_cast<size_t>(w.size(0)) == f.heatmap.row_labels.size());
      CHECK(static_cast<size_t>(w.size(1)) == f.heatmap.column_labels.size());
      CHECK(f.heatmap.row_labels.back() == "</s>");
      const core::NDArray row = w.select(0, 0).contiguous();
      double sum = 0.0;
      for (int64_t s = 0; s < row.numel(); ++s) sum += row.data()[s];
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-4));  // a softmax over the source
      CHECK(std::filesystem::exists(dir.path / "report" / f.file));
    }

  for (const char* file :
       {"report.md", "results.csv", "curves.csv", "loss_vs_time.svg", "score_by_length.svg"})
    CHECK(std::filesystem::exists(dir.path / "report" / file));
  const std::string report = read_file(dir.path / "report" / "report.md");
  const std::string results = read_file(dir.path / "report" / "results.csv");
  for (const lab::Contender& contender : lineup) {
    CHECK(report.find("| " + contender.name + " | " + std::to_string(contender.parameters) +
                      " |") != std::string::npos);
    CHECK(results.find("\n" + contender.name + "," + std::to_string(contender.parameters) +
                       ",6,") != std::string::npos);
  }
  CHECK(report.find("loss_vs_time.svg") != std::string::npos);
  CHECK(report.find(c.attention_source) != std::string::npos);

  // The same directory again is refused.
  CHECK_THROWS_WITH_AS(lab::run_comparison(options, {}, nullptr),
                       doctest::Contains("already holds a comparison"), ember::Error);
}

TEST_CASE("compare: a fixed target loss no model reaches is reported as not reached") {
  lab::Comparison c;
  c.options.beam_size = 5;
  c.target_loss = 0.5;
  c.score_name = "bleu";
  lab::ContenderResult r;
  r.name = "lstm";
  r.parameters = 1000;
  c.contenders.push_back(r);
  const std::string table = lab::report_table(c);
  CHECK(table.find("not reached") != std::string::npos);
  CHECK(table.find("BLEU greedy") != std::string::npos);
  CHECK(table.find("time to valid loss 0.5") != std::string::npos);
}
