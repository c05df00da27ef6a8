// `ember train` under the signals and accidents of real use: SIGTERM and Ctrl-C save a checkpoint
// and stop; kill -9 loses at most the updates since the last periodic checkpoint; a second
// process on the same run directory is refused while the first trains.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/cli.h"

namespace fs = std::filesystem;
using ember::testing::Background;
using ember::testing::run_ember;

namespace {

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

// A training run long enough to be stopped in the middle (a report line every update).
std::vector<std::string> long_run(const std::string& dir, const std::string& save_every) {
  return {"train",          "--builtin",     "dates",    "--dates-train-size", "400",
          "--tokenizer",    "char",          "--arch",   "rnn_attention",      "--preset",
          "tiny",           "--epochs",      "1000",     "--batch-tokens",     "400",
          "--schedule",     "constant",      "--warmup", "0",                  "--metric",
          "exact",          "--log-every",   "1",        "--save-every",       save_every,
          "--save-minutes", "0",             "--run-dir", dir};
}

// `ember train --resume` of the run in `dir` up to `steps` updates, which must succeed from its
// checkpoint; returns what it printed.
std::string resume_to(const std::string& dir, int steps) {
  const auto resumed = run_ember(
      "train --resume --log-every 1 --max-steps " + std::to_string(steps) + " --run-dir " + dir);
  INFO(resumed.output);
  CHECK(resumed.code == 0);
  CHECK(resumed.contains("resuming the run in " + dir));
  CHECK(resumed.contains("reached max_steps (" + std::to_string(steps) + ")"));
  return resumed.output;
}

}  // namespace

TEST_CASE("SIGTERM saves a checkpoint and stops with 143; Ctrl-C with 130; the run continues") {
  for (const int signal : {SIGTERM, SIGINT}) {
    const std::string dir = fresh_dir("ember_test_train_signal");
    Background train(long_run(dir, "0"));
    REQUIRE(train.wait_for("update 5/"));
    train.signal(signal);
    const int code = train.finish();
    INFO(train.output());
    CHECK(code == 128 + signal);
    CHECK(train.output().find(signal == SIGTERM ? "SIGTERM: stopped at update"
                                                : "Ctrl-C (SIGINT): stopped at update") !=
          std::string::npos);
    REQUIRE(fs::exists(dir + "/checkpoints/last.safetensors"));
    resume_to(dir, 8);
    fs::remove_all(dir);
  }
}

TEST_CASE("kill -9 loses only the updates since the last periodic checkpoint") {
  const std::string dir = fresh_dir("ember_test_train_kill");
  Background train(long_run(dir, "3"));
  REQUIRE(train.wait_for("update 7/"));
  train.signal(SIGKILL);
  CHECK(train.finish() == 128 + SIGKILL);
  REQUIRE(fs::exists(dir + "/checkpoints/last.safetensors"));
  // Updates 1-6 were saved (the checkpoint at 6, or at 9 when the kill came that late).
  CHECK(resume_to(dir, 9).find("update 6/") == std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a second ember train on a run directory in use is refused naming the holder") {
  const std::string dir = fresh_dir("ember_test_train_lock");
  Background first(long_run(dir, "0"));
  REQUIRE(first.wait_for("update 1/"));
  const auto second = run_ember("train --builtin dates --arch transformer --run-dir " + dir);
  INFO(second.output);
  CHECK(second.code == 2);
  CHECK(second.lines() == 1);
  CHECK(second.contains("is in use by another ember process (pid " + std::to_string(first.pid()) +
                        ")"));
  const auto resume = run_ember("train --resume --run-dir " + dir);
  CHECK(resume.code == 2);
  CHECK(resume.contains("in use by another ember process"));
  first.signal(SIGTERM);
  CHECK(first.finish() == 128 + SIGTERM);
  // The holder is gone: the run continues.
  resume_to(dir, 3);
  fs::remove_all(dir);
}
