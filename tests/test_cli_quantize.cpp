// `ember eval/translate --quantize int8` as a user runs it: a trained date model decodes nearly
// the same outputs in int8 as in fp32, at every instruction set level this CPU has; a Transformer
// (MultiheadAttention, tied output projection) decodes; bad values are refused with exit code 2.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.h"

namespace fs = std::filesystem;

namespace {

using ember::testing::Outcome;
using ember::testing::run_ember;

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A run trained here: `flags` are ember train's, the run directory in a fresh temporary place.
struct TrainedRun {
  std::string dir;
  TrainedRun(const std::string& name, const std::string& flags)
      : dir((fs::temp_directory_path() / (name + "_" + std::to_string(getpid()))).string()) {
    fs::remove_all(dir);
    const Outcome trained = run_ember("train " + flags + " --quiet --run-dir " + dir);
    INFO(trained.output);
    REQUIRE(trained.code == 0);
  }
  ~TrainedRun() { fs::remove_all(dir); }
  // `ember eval` on the first 200 test dates, outputs to dir/<name>, with EMBER_ISA=isa when
  // given; empty when this CPU lacks that level.
  std::vector<std::string> eval(const std::string& flags, const std::string& name,
                                const std::string& isa = "") const {
    const std::string out = dir + "/" + name;
    if (!isa.empty()) setenv("EMBER_ISA", isa.c_str(), 1);
    const Outcome o =
        run_ember("eval --run " + dir + " --split test --limit 200 --output " + out + " " + flags);
    unsetenv("EMBER_ISA");
    INFO(o.output);
    if (o.contains("this CPU lacks it")) return {};
    REQUIRE(o.code == 0);
    return read_lines(out);
  }
};

// The rnn_attention date model of test_cli_translate (100% exact match on its validation dates,
// about 10 s here): GRU cells, additive attention, Linear bridge and output layer.
constexpr const char* kDatesRun =
    "--builtin dates --dates-train-size 3000 --tokenizer char --vocab-size 0 --arch "
    "rnn_attention --preset tiny --embedding-dim 16 --hidden-size 64 --epochs 8 --batch-tokens "
    "1000 --lr 5e-3 --schedule constant --warmup 0 --metric exact --eval-sentences 50";

}  // namespace

TEST_CASE("--quantize int8 decodes (mostly) the outputs of fp32, at every instruction set") {
  const TrainedRun run("ember_test_cli_quantize", kDatesRun);
  const std::vector<std::string> fp32 = run.eval("", "fp32.txt");
  REQUIRE(fp32.size() == 200);
  for (const std::string level : {"", "avx512", "avx2", "portable"}) {
    CAPTURE(level);
    const std::vector<std::string> int8 =
        run.eval("--quantize int8", "int8" + level + ".txt", level);
    if (int8.empty()) continue;  // a level this CPU lacks
    REQUIRE(int8.size() == fp32.size());
    int same = 0;
    for (size_t i = 0; i < fp32.size(); ++i) same += int8[i] == fp32[i];
    // Measured: 200 of 200 at every level (2026-12-06). A date is a short, confident output:
    // an int8 rounding that flips one of its characters is rare; 190 leaves room for that.
    CHECK(same >= 190);
  }
}

TEST_CASE("--quantize int8 decodes a Transformer (attention projections, tied output layer)") {
  const TrainedRun run("ember_test_cli_quantize_tf",
                       "--builtin dates --dates-train-size 200 --tokenizer char --vocab-size 0 "
                       "--arch transformer --preset tiny --epochs 1 --metric exact "
                       "--eval-sentences 10");
  CHECK(run.eval("--quantize int8 --beam 3", "tf.txt").size() == 200);
  const Outcome translated = run_ember("translate --run " + run.dir + " --quantize int8 " +
                                           "--log-level debug",
                                       "3 march 1998\\n");
  INFO(translated.output);
  CHECK(translated.code == 0);
  CHECK(translated.contains("weight products quantized to int8: "));
}

TEST_CASE("--quantize refuses what it does not know, and training does not take it") {
  for (const std::string command : {"eval", "translate"}) {
    const Outcome o = run_ember(command + " --quantize int4");
    CHECK(o.code == 2);
    CHECK(o.contains("--quantize expects one of none|int8, got 'int4'"));
  }
  const Outcome train = run_ember("train --builtin dates --quantize int8");
  CHECK(train.code == 2);
  CHECK(train.contains("--quantize"));
}
