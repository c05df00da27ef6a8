// The lab's result directories (lab/lab_result.h) written and read back, and the report over
// them (lab/lab_aggregate.h) on synthetic runs: mean ± std per model over its seeds, n=1 without
// a std, the equal-updates and equal-time columns, and the errors of bad or mixed files.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/lab/lab_aggregate.h"
#include "ember/seq2seq/lab/lab_result.h"
#include "support/files.h"

using namespace ember;
using namespace ember::seq2seq;
using ember::testing::read_file;
using ember::testing::TempDir;
using ember::testing::write_file;

namespace {

struct Point {
  int64_t step;
  double seconds;
  double loss;
  double score;
  double cpu_seconds = NAN;  // absent, as in results written before ember recorded it
};

// A comparison of Multi30k-like settings holding one synthetic contender.
lab::Comparison comparison(const std::string& out_dir, int64_t seed) {
  lab::Comparison c;
  c.options = lab::full_options();
  c.options.out_dir = out_dir;
  c.options.run.data.dir = "../shared/data/multi30k";
  c.options.run.train.seed = seed;
  c.options.command = "ember compare --synthetic";
  c.score_name = "bleu";
  c.src_vocab = 100;
  c.tgt_vocab = 90;
  c.test_sentences = 10;
  c.buckets = {{.min_tokens = 1, .max_tokens = 9, .sentences = 6, .mean_tokens = 5.0},
               {.min_tokens = 10, .max_tokens = 20, .sentences = 4, .mean_tokens = 14.0}};
  return c;
}

// Writes <out>/results/<model>-s<seed> with these test scores and curve; returns its directory.
std::string write_run(const std::string& out_dir, const std::string& model, int64_t seed,
                      double greedy, double beam, const std::vector<Point>& curve,
                      std::vector<lab::AttentionFigure> attention = {}) {
  lab::Comparison c = comparison(out_dir, seed);
  lab::ContenderResult r{.name = model, .summary = model + " (synthetic)", .parameters = 1000};
  r.steps = curve.back().step;
  r.train_seconds = curve.back().seconds;
  r.wall_seconds = r.train_seconds + 1.0;
  r.cpu_seconds = r.train_seconds;
  r.tokens_per_s = 50.0;
  r.greedy_score = greedy;
  r.beam_score = beam;
  r.bucket_scores = {greedy + 1.0, greedy - 1.0};  // short sources score higher
  r.samples = {{"ein hund", "a dog", "a dog", "a dog"}};
  for (const Point& p : curve)
    r.curve.push_back({.step = p.step,
                       .train_seconds = p.seconds,
                       .train_cpu_seconds = p.cpu_seconds,
                       .valid_loss = p.loss,
                       .valid_score = p.score});
  r.best_valid_loss = curve.back().loss;
  r.attention = std::move(attention);
  c.contenders.push_back(r);
  RunConfig config = c.options.run;
  config.model.hidden_size = model == "transformer" ? 64 : 32;  // the model differs: not the recipe
  const std::string dir = lab::result_dir(out_dir, model, seed);
  lab::write_result_dir(c, c.contenders.back(), config, dir);
  return dir;
}

// A 1x2 attention map in the file the comparison names for `slug`, its title naming the seed.
lab::AttentionFigure attention_map(const std::string& slug, int64_t seed) {
  const core::NDArray w = core::NDArray::from_vector({0.25f, 0.75f}, {1, 2});
  return {.file = "attention-" + slug + ".svg",
          .heatmap = {.title = slug + " at seed " + std::to_string(seed),
                      .values = w,
                      .row_labels = {"</s>"},
                      .column_labels = {"hund", "</s>"}}};
}

const lab::ModelSummary& summary_of(const lab::LabAggregate& t, const std::string& model) {
  for (const lab::ModelSummary& m : t.models)
    if (m.model == model) return m;
  FAIL("no model " << model);
  throw;
}

}  // namespace

TEST_CASE("lab results: written self-describing, read back exactly") {
  TempDir dir("lab_result_roundtrip");
  const std::string run = write_run(dir.path.string(), "lstm+dot", 3, 12.5, 13.25,
                                    {{100, 10.0, 4.0, 5.0, 9.5}, {200, 20.5, 3.5, NAN, 19.0}});
  CHECK(run == (dir.path / "results" / "lstm-dot-s3").string());
  const lab::LabResult r = lab::read_lab_result(run);
  CHECK(r.result.name == "lstm+dot");
  CHECK(r.seed == 3);
  CHECK(r.size == "small");
  CHECK(r.score_name == "bleu");
  CHECK(r.command == "ember compare --synthetic");
  CHECK(r.date.size() == 20);  // 2026-12-06T04:00:00Z
  CHECK(r.machine.find("threads") != std::string::npos);
  CHECK(r.budget.find("4096 tokens") != std::string::npos);
  CHECK(r.result.parameters == 1000);
  CHECK(r.result.greedy_score == 12.5);
  CHECK(r.result.beam_score == 13.25);
  REQUIRE(r.result.curve.size() == 2);
  CHECK(r.result.curve[1].step == 200);
  CHECK(r.result.curve[1].train_seconds == 20.5);
  CHECK(r.result.curve[1].train_cpu_seconds == 19.0);
  CHECK(r.result.curve[0].valid_score == 5.0);
  CHECK(std::isnan(r.result.curve[1].valid_score));  // written as null
  CHECK(r.recipe.contains("train"));
  CHECK_FALSE(r.recipe["train"].contains("seed"));
  CHECK_FALSE(r.recipe.contains("model"));
  const std::string csv = read_file(std::filesystem::path(run) / "curve.csv");
  CHECK(csv.rfind("update,train_seconds,valid_loss,valid_bleu,train_cpu_seconds\n100,10,4,5,9.5\n"
                  "200,20.5,3.5,,19\n",
                  0) == 0);
  CHECK(read_file(std::filesystem::path(run) / "samples.txt").find("reference: a dog") !=
        std::string::npos);
}

TEST_CASE("lab aggregate: equal time in CPU time when every run recorded it") {
  TempDir dir("lab_aggregate_cpu");
  const std::string out = dir.path.string();
  // lstm had a core to itself (clock and CPU time alike); transformer shared its core, so its
  // clock ran at twice its CPU time.
  write_run(out, "lstm", 1, 10.0, 11.0,
            {{100, 10.0, 4.0, 5.0, 9.0}, {200, 20.0, 3.0, 7.0, 18.0}, {300, 30.0, 2.0, 9.0, 27.0}});
  write_run(out, "transformer", 1, 20.0, 21.0,
            {{100, 20.0, 3.0, 10.0, 10.0},
             {200, 40.0, 2.2, 12.0, 20.0},
             {300, 60.0, 1.8, 13.0, 30.0}});
  const lab::LabAggregate t = lab::aggregate_lab_results(lab::read_result_dirs({out + "/results"}));
  CHECK(t.cpu_time);
  CHECK(t.common_seconds == 27.0);  // lstm's CPU time, not its 30 s of clock
  // Within 27 CPU s the transformer made two evaluations (its clock would allow one, at 20 s).
  CHECK(summary_of(t, "transformer").best_loss_within_time.mean == 2.2);
  CHECK(summary_of(t, "lstm").best_loss_within_time.mean == 2.0);
  lab::write_lab_aggregate(t, lab::read_result_dirs({out + "/results"}), dir.file("report"),
                           "ember compare --report x");
  CHECK(read_file(dir.path / "report" / "report.md").find("best valid loss within 27.0 CPU s") !=
        std::string::npos);
  CHECK(read_file(dir.path / "report" / "results.csv").find(",cpu\n") != std::string::npos);

  // One run without CPU times (written before ember recorded them): all fall back to the clock.
  write_run(out, "lstm+dot", 1, 15.0, 16.0, {{100, 12.0, 3.5, 6.0}, {200, 24.0, 2.8, 8.0}});
  const lab::LabAggregate mixed =
      lab::aggregate_lab_results(lab::read_result_dirs({out + "/results"}));
  CHECK_FALSE(mixed.cpu_time);
  CHECK(mixed.common_seconds == 24.0);
  CHECK(summary_of(mixed, "transformer").best_loss_within_time.mean == 3.0);  // at 20 s only
}

TEST_CASE("lab aggregate: mean ± std over seeds, equal updates and equal time") {
  TempDir dir("lab_aggregate");
  const std::string out = dir.path.string();
  // lstm at three seeds; seed 3 stopped at update 200 (U = 200), transformer at one seed whose
  // training took the least time (T = 15 s).
  write_run(out, "lstm", 1, 10.0, 11.0,
            {{100, 10.0, 4.0, 5.0}, {200, 20.0, 3.0, 7.0}, {300, 30.0, 2.0, 9.0}});
  write_run(out, "lstm", 2, 12.0, 13.0,
            {{100, 11.0, 5.0, 4.0}, {200, 22.0, 3.4, 6.0}, {300, 33.0, 2.5, 8.0}});
  write_run(out, "lstm", 3, 14.0, 15.0, {{100, 9.0, 4.5, 6.0}, {200, 18.0, 3.2, 8.0}});
  write_run(out, "transformer", 1, 20.0, 21.0,
            {{100, 5.0, 3.0, 10.0}, {200, 10.0, 2.2, 12.0}, {300, 15.0, 1.8, 13.0}});

  const std::vector<lab::LabResult> runs = lab::read_result_dirs({out + "/results"});
  REQUIRE(runs.size() == 4);
  const lab::LabAggregate t = lab::aggregate_lab_results(runs);
  CHECK(t.common_updates == 200);
  CHECK(t.common_seconds == 15.0);
  REQUIRE(t.models.size() == 2);
  CHECK(t.models[0].model == "lstm");  // the lineup's order
  CHECK(t.models[1].model == "transformer");

  const lab::ModelSummary& lstm = summary_of(t, "lstm");
  CHECK(lstm.seeds == std::vector<int64_t>{1, 2, 3});
  CHECK(lstm.greedy.mean == doctest::Approx(12.0));
  CHECK(lstm.greedy.std == doctest::Approx(2.0));  // sample std of 10, 12, 14
  CHECK(lstm.beam.mean == doctest::Approx(13.0));
  // At update 200: losses 3.0, 3.4, 3.2; scores 7, 6, 8.
  CHECK(lstm.loss_at_updates.mean == doctest::Approx(3.2));
  CHECK(lstm.loss_at_updates.std == doctest::Approx(0.2));
  CHECK(lstm.score_at_updates.mean == doctest::Approx(7.0));
  // Within 15 s: seed 1 has its 10 s evaluation (4.0, 5), seed 2 its 11 s (5.0, 4), seed 3 its
  // 9 s one (4.5, 6).
  CHECK(lstm.best_loss_within_time.mean == doctest::Approx(4.5));
  CHECK(lstm.best_loss_within_time.std == doctest::Approx(0.5));
  CHECK(lstm.best_score_within_time.mean == doctest::Approx(5.0));
  CHECK(lstm.updates.mean == doctest::Approx(800.0 / 3.0));  // 300, 300, 200
  // By source length: each run's greedy score + 1 and - 1 in its two buckets.
  REQUIRE(t.buckets.size() == 2);
  CHECK(t.buckets[1].min_tokens == 10);
  CHECK(t.buckets[1].sentences == 4);
  REQUIRE(lstm.by_length.size() == 2);
  CHECK(lstm.by_length[0].mean == doctest::Approx(13.0));
  CHECK(lstm.by_length[1].mean == doctest::Approx(11.0));
  CHECK(lstm.by_length[1].std == doctest::Approx(2.0));

  const lab::ModelSummary& transformer = summary_of(t, "transformer");
  CHECK(transformer.seeds == std::vector<int64_t>{1});
  CHECK(transformer.greedy.mean == 20.0);
  CHECK(transformer.greedy.std == 0.0);
  CHECK(transformer.loss_at_updates.mean == 2.2);
  CHECK(transformer.best_loss_within_time.mean == 1.8);  // all three evaluations within 15 s
  CHECK(transformer.best_score_within_time.mean == 13.0);

  // The mean curve: the updates every seed evaluated (seed 3 lacks 300).
  REQUIRE(t.curves.size() == 2);
  CHECK(t.curves[0].updates == std::vector<int64_t>{100, 200});
  CHECK(t.curves[0].train_seconds[0] == doctest::Approx(10.0));
  CHECK(t.curves[0].valid_loss[0].mean == doctest::Approx(4.5));
  CHECK(t.curves[1].updates.size() == 3);

  lab::write_lab_aggregate(t, runs, dir.file("report"), "ember compare --report x");
  const std::string md = read_file(dir.path / "report" / "report.md");
  CHECK(md.find("| lstm | n=3 | 1,2,3 |") != std::string::npos);
  CHECK(md.find("12.00 ± 2.00") != std::string::npos);
  CHECK(md.find("| transformer | n=1 | 1 |") != std::string::npos);
  CHECK(md.find("| 20.00 | 21.00 |") != std::string::npos);  // n=1: no std
  CHECK(md.find("valid loss at 200 updates") != std::string::npos);
  CHECK(md.find("best valid loss within 15.0 s") != std::string::npos);
  CHECK(md.find("![learning curves](curves.svg)") != std::string::npos);
  const std::string svg = read_file(dir.path / "report" / "curves.svg");
  CHECK(svg.find("transformer") != std::string::npos);
  const std::string csv = read_file(dir.path / "report" / "results.csv");
  CHECK(csv.find("\nlstm,3,1 2 3,1000,") != std::string::npos);
  CHECK(std::filesystem::exists(dir.path / "report" / "curves.csv"));
  CHECK(md.find("| model | 1–9 tokens (6 sentences) | 10–20 tokens (4 sentences) |") !=
        std::string::npos);
  CHECK(md.find("| lstm | 13.00 ± 2.00 | 11.00 ± 2.00 |") != std::string::npos);
  CHECK(md.find("| transformer | 21.00 | 19.00 |") != std::string::npos);
  CHECK(read_file(dir.path / "report" / "by_length.csv").find("\nlstm,3,10,20,4,11,2\n") !=
        std::string::npos);
  CHECK(read_file(dir.path / "report" / "by_length.svg").find("transformer") != std::string::npos);

  // A subset: one result directory given directly.
  const std::vector<lab::LabResult> one =
      lab::read_result_dirs({lab::result_dir(out, "transformer", 1)});
  REQUIRE(one.size() == 1);
  CHECK(lab::aggregate_lab_results(one).common_updates == 300);
}

TEST_CASE("lab aggregate: each model's attention maps, from its lowest seed, side by side") {
  TempDir dir("lab_aggregate_attention");
  const std::string out = dir.path.string();
  const std::vector<Point> curve = {{100, 10.0, 4.0, 5.0}};
  write_run(out, "lstm", 1, 10.0, 11.0, curve);  // no attention, no map
  write_run(out, "lstm+dot", 3, 12.0, 12.0, curve, {attention_map("lstm-dot", 3)});
  const std::string dot2 =
      write_run(out, "lstm+dot", 2, 12.0, 12.0, curve, {attention_map("lstm-dot", 2)});
  write_run(out, "convs2s", 1, 15.0, 15.0, curve,
            {attention_map("convs2s-layer10", 1), attention_map("convs2s-layer2", 1)});
  write_run(out, "transformer", 1, 20.0, 21.0, curve, {attention_map("transformer", 1)});
  CHECK(read_file(std::filesystem::path(dot2) / "attention-lstm-dot.svg").find("at seed 2") !=
        std::string::npos);

  const std::vector<lab::LabResult> runs = lab::read_result_dirs({out + "/results"});
  lab::write_lab_aggregate(lab::aggregate_lab_results(runs), runs, dir.file("report"), "x");
  const std::string md = read_file(dir.path / "report" / "report.md");
  CHECK(md.find("## Attention maps of one test sentence") != std::string::npos);
  CHECK(md.find("![lstm-dot seed 2](attention-lstm-dot.svg) "
                "![convs2s-layer2 seed 1](attention-convs2s-layer2.svg) "
                "![convs2s-layer10 seed 1](attention-convs2s-layer10.svg) "
                "![transformer seed 1](attention-transformer.svg)\n") != std::string::npos);
  CHECK(md.find("![lstm seed") == std::string::npos);
  CHECK(read_file(dir.path / "report" / "attention-lstm-dot.svg").find("at seed 2") !=
        std::string::npos);
  CHECK(std::filesystem::exists(dir.path / "report" / "attention-transformer.svg"));

  // Without any map, no section.
  const std::vector<lab::LabResult> lstm_only =
      lab::read_result_dirs({lab::result_dir(out, "lstm", 1)});
  lab::write_lab_aggregate(lab::aggregate_lab_results(lstm_only), lstm_only,
                           dir.file("report-lstm"), "x");
  CHECK(read_file(dir.path / "report-lstm" / "report.md").find("## Attention maps") ==
        std::string::npos);
}

TEST_CASE("lab aggregate: bad, partial and mixed result files are named") {
  TempDir dir("lab_aggregate_errors");
  const std::string out = dir.path.string();
  const std::string run = write_run(out, "convs2s", 1, 5.0, 6.0, {{100, 10.0, 4.0, 5.0}});
  const std::string json = read_file(std::filesystem::path(run) / "result.json");
  const auto throws_naming = [](const std::string& text, const std::string& what) {
    CAPTURE(what);
    try {
      lab::parse_lab_result(text, "x/result.json");
      FAIL("accepted");
    } catch (const Error& e) {
      const std::string message = e.what();
      CHECK(message.find("x/result.json") != std::string::npos);
      CHECK(message.find(what) != std::string::npos);
    }
  };
  throws_naming(json.substr(0, json.size() / 2), "[lab_result]");  // cut short
  throws_naming("[]", "expected a JSON object");
  std::string other = json;
  other.replace(other.find("\"convs2s\""), 9, "\"gru\"");
  throws_naming(other, "model 'gru'");
  other = json;
  other.replace(other.find("\"curve\""), 7, "\"curves\"");
  throws_naming(other, "no key 'curve'");
  other = json;
  other.replace(other.find("\"greedy\": 5.0"), 13, "\"greedy\": -1");
  throws_naming(other, "'greedy' is -1");
  other = json;
  other.replace(other.find("\"min_tokens\": 10"), 16, "\"min_tokens\": 9");
  throws_naming(other, "overlaps the one before");
  // CPU times that run backwards, or are negative.
  const std::string backwards = write_run(dir.file("cpu"), "convs2s", 1, 5.0, 6.0,
                                          {{100, 10.0, 4.0, 5.0, 9.0}, {200, 20.0, 3.0, 6.0, 5.0}});
  const std::string cpu_json = read_file(std::filesystem::path(backwards) / "result.json");
  throws_naming(cpu_json, "CPU time 5 after 9");
  other = cpu_json;
  other.replace(other.find("\"train_cpu_seconds\": 9.0"), 24, "\"train_cpu_seconds\": -1");
  throws_naming(other, "'train_cpu_seconds' is -1");

  // The same (model, seed) twice, and runs of another recipe.
  const std::string copy = dir.file("copy");
  std::filesystem::create_directories(copy);
  write_file(std::filesystem::path(copy) / "result.json", json);
  CHECK_THROWS_WITH_AS(lab::aggregate_lab_results(lab::read_result_dirs({run, copy})),
                       doctest::Contains("both convs2s at seed 1"), Error);
  other = json;
  other.replace(other.find("\"seed\": 1"), 9, "\"seed\": 2");
  other.replace(other.find("\"lr\": 0.001"), 11, "\"lr\": 0.002");
  write_file(std::filesystem::path(copy) / "result.json", other);
  CHECK_THROWS_WITH_AS(lab::aggregate_lab_results(lab::read_result_dirs({run, copy})),
                       doctest::Contains("train.lr"), Error);
  other = json;  // another test split: other length buckets
  other.replace(other.find("\"seed\": 1"), 9, "\"seed\": 2");
  other.replace(other.find("\"sentences\": 4"), 14, "\"sentences\": 5");
  write_file(std::filesystem::path(copy) / "result.json", other);
  CHECK_THROWS_WITH_AS(lab::aggregate_lab_results(lab::read_result_dirs({run, copy})),
                       doctest::Contains("different test length buckets"), Error);
  // A directory without results.
  CHECK_THROWS_WITH_AS(lab::read_result_dirs({dir.file("copy/nothing")}),
                       doctest::Contains("copy/nothing"), Error);
  std::filesystem::create_directories(dir.file("empty"));
  CHECK_THROWS_WITH_AS(lab::read_result_dirs({dir.file("empty")}),
                       doctest::Contains("holds no result.json"), Error);
}
