// `ember compare --models` (a subset of the lineup) and `--seed`: the models trained, each one's
// result directory, and `ember compare --report` over them from the command line.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/compare_flags.h"
#include "ember/seq2seq/lab/compare.h"
#include "ember/seq2seq/lab/lab_result.h"
#include "support/cli.h"
#include "support/files.h"

using namespace ember;
using namespace ember::seq2seq;
using ember::testing::TempDir;

TEST_CASE("compare --models: slugs or names, in the lineup's order; unknown ones listed") {
  const auto parse = [](std::vector<std::string> args) {
    return cli::parse_compare_args(args).options;
  };
  const lab::CompareOptions o =
      parse({"--quick", "--models", "transformer,lstm-dot", "--seed", "4"});
  CHECK(o.models == std::vector<std::string>{"transformer", "lstm-dot"});
  CHECK(o.run.train.seed == 4);
  CHECK(lab::selected_models(o) == std::vector<std::string>{"lstm+dot", "transformer"});
  CHECK(lab::selected_models(parse({"--quick", "--models", "lstm+scaled_dot"})) ==
        std::vector<std::string>{"lstm+scaled_dot"});
  CHECK(lab::selected_models(parse({"--quick"})).size() == 7);
  CHECK_THROWS_WITH_AS(parse({"--quick", "--models", "lstm,gru"}),
                       doctest::Contains("unknown model 'gru' (the lineup's: lstm, lstm-dot, "
                                         "lstm-scaled_dot, lstm-general, lstm-additive, convs2s, "
                                         "transformer)"),
                       Error);
  CHECK_THROWS_WITH_AS(parse({"--quick", "--models", "lstm-dot,lstm+dot"}),
                       doctest::Contains("given twice"), Error);
  CHECK_THROWS_WITH_AS(parse({"--quick", "--report", "x"}), doctest::Contains("--report"), Error);
  const cli::CompareArgs report = cli::parse_compare_args({"--report", "a,b", "--out", "r"});
  CHECK(report.report == std::vector<std::string>{"a", "b"});
  // The program: an unknown model is exit code 2.
  const testing::Outcome bad = testing::run_ember("compare --quick --models convs3s");
  CHECK(bad.code == 2);
  CHECK(bad.contains("unknown model 'convs3s'"));
}

TEST_CASE("compare --models: two models trained, one result directory each, reported over") {
  TempDir dir("compare_models");
  const std::string out = dir.file("lab");
  const std::string flags =
      "--quick --models convs2s,lstm --seed 3 --max-steps 4 --batch-tokens 512 --eval-every 2 "
      "--log-every 2 --eval-sentences 8 --warmup 1 --dates-train-size 200 --test-sentences 12 "
      "--beam 2 --quiet";
  const testing::Outcome run = testing::run_ember("compare " + flags + " --out " + out);
  REQUIRE_MESSAGE(run.code == 0, run.output);
  // The report of the two, as before, and the two result directories.
  CHECK(run.contains("| lstm |"));
  CHECK(run.contains("| convs2s |"));
  CHECK_FALSE(run.contains("| transformer |"));
  CHECK(std::filesystem::exists(out + "/report.md"));
  for (const char* model : {"lstm", "convs2s"}) {
    CAPTURE(model);
    const lab::LabResult r = lab::read_lab_result(lab::result_dir(out, model, 3));
    CHECK(r.result.name == model);
    CHECK(r.seed == 3);
    CHECK(r.size == "tiny");
    CHECK(r.score_name == "exact_match");
    CHECK(r.result.steps == 4);
    REQUIRE(r.result.curve.size() == 2);
    CHECK(r.result.curve[1].step == 4);
    CHECK(r.command.find("--models convs2s,lstm") != std::string::npos);
  }
  const testing::Outcome report = testing::run_ember("compare --report " + out + "/results --out " +
                                                     dir.file("report") + " --quiet");
  REQUIRE_MESSAGE(report.code == 0, report.output);
  CHECK(report.contains("2 runs of 2 models"));
  const std::string md = testing::read_file(dir.file("report") + "/report.md");
  CHECK(md.find("| lstm | n=1 | 3 |") != std::string::npos);
  CHECK(md.find("| convs2s | n=1 | 3 |") != std::string::npos);
  CHECK(md.find("valid loss at 4 updates") != std::string::npos);
  // A result file cut short: named.
  const std::string broken = lab::result_dir(out, "lstm", 3) + "/result.json";
  testing::write_file(broken, testing::read_file(broken).substr(0, 100));
  const testing::Outcome bad =
      testing::run_ember("compare --report " + out + "/results --out " + dir.file("report2"));
  CHECK(bad.code == 2);
  CHECK(bad.contains(broken));
}
