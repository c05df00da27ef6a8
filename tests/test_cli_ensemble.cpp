// The `ember` program's checkpoint averaging and ensembles, as a user runs them: train
// --keep-checkpoints, ember average, --checkpoint best|last|average, --ensemble in translate and
// eval, and their refusals (exit code 2, one line naming what is wrong).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/cli.h"

namespace fs = std::filesystem;

namespace {

using ember::testing::Outcome;

Outcome run(const std::string& args, const std::string& input = "") {
  return ember::testing::run_ember(args, input);
}

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

// A tiny run on the dates corpus (under a second), saving every 3 updates.
const std::string kTinyRun =
    "train --builtin dates --dates-train-size 200 --vocab-size 0 --preset tiny "
    "--embedding-dim 8 --hidden-size 16 --epochs 2 --batch-tokens 400 --schedule constant "
    "--warmup 0 --metric exact --eval-sentences 20 --save-every 3 --quiet ";

// Trains the tiny run with a character tokenizer unless `tokenizer` says otherwise.
std::string train(const std::string& flags, const std::string& dir,
                  const std::string& tokenizer = "char") {
  const Outcome trained = run(kTinyRun + flags + " --tokenizer " + tokenizer + " --run-dir " + dir);
  INFO(trained.output);
  REQUIRE(trained.code == 0);
  return dir;
}

int count_step_files(const std::string& run_dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(run_dir + "/checkpoints"))
    n += entry.path().filename().string().rfind("step-", 0) == 0;
  return n;
}

void fails_with(const std::string& args, const std::string& message) {
  const Outcome o = run(args);
  INFO(args << "\n" << o.output);
  CHECK(o.code == 2);
  CHECK(o.lines() == 1);
  CHECK(o.contains(message));
}

constexpr const char* kDates = "tuesday, 3 march 1998\\n12/25/99\\n1 may 2001\\n";

}  // namespace

TEST_CASE("help: average, and the new flags of train, translate and eval") {
  const Outcome average = run("average --help");
  CHECK(average.code == 0);
  CHECK(average.contains("usage: ember average"));
  CHECK(average.contains("--last K"));
  CHECK(run("--help").contains("average "));
  CHECK(run("train --help").contains("--keep-checkpoints K"));
  for (const char* command : {"translate", "eval"}) {
    const Outcome o = run(std::string(command) + " --help");
    INFO(command);
    CHECK(o.contains("--ensemble DIR,..."));
    CHECK(o.contains("--checkpoint NAME|FILE"));
  }
}

TEST_CASE("train --keep-checkpoints, ember average, then translate and eval the average") {
  const std::string dir =
      train("--arch rnn_attention --keep-checkpoints 3", fresh_dir("ember_cli_avg"));
  CHECK(count_step_files(dir) == 3);  // the oldest were removed as newer ones came
  const Outcome averaged = run("average --run " + dir + " --last 3");
  INFO(averaged.output);
  REQUIRE(averaged.code == 0);
  CHECK(averaged.contains("averaged 3 checkpoints of " + dir + " (updates "));
  CHECK(fs::exists(dir + "/checkpoints/average.safetensors"));

  const Outcome translated =
      run("translate --quiet --run " + dir + " --checkpoint average", kDates);
  CHECK(translated.code == 0);
  CHECK(translated.lines() == 3);
  const Outcome scored = run("eval --quiet --run " + dir + " --checkpoint average --limit 5");
  CHECK(scored.code == 0);
  CHECK(scored.contains("exact match:"));
  CHECK(run("eval --quiet --run " + dir + " --checkpoint last --limit 5").code == 0);

  const std::string elsewhere = dir + "/two.safetensors";
  CHECK(run("average --run " + dir + " --last 2 --output " + elsewhere).code == 0);
  CHECK(run("translate --quiet --run " + dir + " --checkpoint " + elsewhere, kDates).code == 0);

  fails_with("average --run " + dir + " --last 4", "keeps 3 periodic checkpoint(s)");
  fails_with("average --run " + dir + " --last 0", "--last must be >= 1");
  fails_with("average --last 2", "--run DIR is required");
  fails_with(kTinyRun + "--keep-checkpoints -1 --run-dir " + dir + "_never",
             "keep_checkpoints must be in [0, 1000]");
  // A run trained without --keep-checkpoints has none to average, and says how to keep them.
  const std::string plain = train("--arch rnn_attention", fresh_dir("ember_cli_avg_plain"));
  CHECK(count_step_files(plain) == 0);
  fails_with("average --run " + plain + " --last 2", "train with --keep-checkpoints 2");
  fails_with("translate --run " + plain + " --checkpoint average",
             "write it with: ember average --run " + plain);
  fs::remove_all(dir);
  fs::remove_all(plain);
}

TEST_CASE(
    "--ensemble: with itself as alone, other architectures, mismatched vocabularies refused") {
  const std::string a = train("--arch rnn_attention --seed 1", fresh_dir("ember_cli_ens_a"));
  const std::string b = train("--arch rnn_attention --seed 2", fresh_dir("ember_cli_ens_b"));
  const std::string t = train("--arch transformer", fresh_dir("ember_cli_ens_t"));

  for (const char* decode : {"", " --beam 3"}) {
    INFO("decode:" << decode);
    const Outcome alone = run("translate --quiet --run " + a + decode, kDates);
    const Outcome twice = run("translate --quiet --run " + a + " --ensemble " + a + decode, kDates);
    REQUIRE(alone.code == 0);
    CHECK(alone.lines() == 3);
    CHECK(twice.output == alone.output);
  }
  const Outcome three =
      run("eval --run " + a + " --ensemble " + b + "," + t + " --limit 10 --beam 2");
  INFO(three.output);
  CHECK(three.code == 0);
  CHECK(three.contains("ensemble of 3 runs"));
  CHECK(three.contains("transformer"));
  CHECK(three.contains("exact match:"));

  const std::string words = train("--arch rnn_attention", fresh_dir("ember_cli_ens_word"), "word");
  fails_with("translate --run " + a + " --ensemble " + words,
             "the runs " + a + " and " + words + " have different source vocabularies");
  fails_with("eval --run " + a + " --ensemble " + b + " --checkpoint " + a +
                 "/checkpoints/last.safetensors",
             "is a file of one run; with several runs give best, last or average");
  fails_with("translate --run " + a + " --ensemble " + b + ",", "an empty run name in the list");
  fails_with("translate --run " + a + " --ensemble /nonexistent_ember_run",
             "/nonexistent_ember_run is not a run directory");
  for (const std::string& dir : {a, b, t, words}) fs::remove_all(dir);
}
