// The `ember` program (seq2seq/cli/), run as a user runs it: help, exit codes, one-line errors,
// and a tiny train -> translate -> eval round trip. The program is found next to this test in
// the build tree (<build>/seq2seq/ember).
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Outcome {
  int code = -1;
  std::string output;  // stdout and stderr together
  int lines() const {
    int n = 0;
    for (char c : output) n += c == '\n';
    return n;
  }
};

std::string ember_path() {
  return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "seq2seq" / "ember")
      .string();
}

Outcome run(const std::string& args, const std::string& input = "") {
  std::string command = "'" + ember_path() + "' " + args + " 2>&1";
  if (!input.empty()) command = "printf '" + input + "' | " + command;
  Outcome out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer;
  for (size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    out.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

bool contains(const Outcome& o, const std::string& text) {
  return o.output.find(text) != std::string::npos;
}

std::string fresh_dir(const std::string& name) {
  // Per process, so that test runs of two build trees do not meet.
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

constexpr const char* kTinyRun =
    "train --builtin dates --dates-train-size 200 --tokenizer char --vocab-size 0 --arch "
    "rnn_attention --preset tiny --embedding-dim 8 --hidden-size 16 --epochs 1 --batch-tokens 400 "
    "--schedule constant --warmup 0 --metric exact --eval-sentences 20 --run-dir ";

}  // namespace

TEST_CASE("the program is built next to the tests") {
  REQUIRE_MESSAGE(fs::exists(ember_path()), "build the ember_cli target first: " << ember_path());
}

TEST_CASE("help: the program and each command, exit code 0") {
  const Outcome top = run("--help");
  CHECK(top.code == 0);
  CHECK(contains(top, "demo translate"));
  for (const char* command :
       {"train", "translate", "eval", "demo translate", "demo summarize"}) {
    const Outcome o = run(std::string(command) + " --help");
    INFO(command);
    CHECK(o.code == 0);
    CHECK(contains(o, std::string("usage: ember ") + command));
  }
  CHECK(contains(run("train --help"), "--batch-tokens N"));
  CHECK(contains(run("translate --help"), "--attention FILE.svg"));
  const Outcome none = run("");
  CHECK(none.code == 2);
  CHECK(contains(none, "usage: ember <command>"));
}

TEST_CASE("bad commands, flags and files: one error line, exit code 2") {
  const auto fails_with = [](const std::string& args, const std::string& text) {
    const Outcome o = run(args);
    INFO(args, " -> ", o.output);
    CHECK(o.code == 2);
    CHECK(o.lines() == 1);
    CHECK(contains(o, text));
  };
  fails_with("fly", "[ember] unknown command 'fly'");
  fails_with("train --bogus", "unknown flag '--bogus'");
  fails_with("train --epochs many", "--epochs expects an integer, got 'many'");
  fails_with("train --run-dir x extra", "unexpected argument 'extra'");
  fails_with("demo fly", "expected 'ember demo translate' or 'ember demo summarize'");
  fails_with("demo summarize --data /nonexistent_ember_data",
             "/nonexistent_ember_data/train.tok.src.gz does not exist");
  fails_with("translate", "--run DIR is required");
  fails_with("translate --run /nonexistent_ember_run", "is not a run directory");
  fails_with("eval --run /nonexistent_ember_run", "is not a run directory");
  fails_with("train --resume", "--resume needs --run-dir");
  const std::string dir = fresh_dir("ember_test_cli_nodata");
  const Outcome o = run("train --data /nonexistent_ember_data --src de --tgt en --run-dir " + dir);
  CHECK(o.code == 2);
  CHECK(contains(o, "/nonexistent_ember_data/train.de.gz"));
  CHECK_FALSE(fs::exists(dir));  // nothing written for a run that could not start
}

TEST_CASE("train, translate with an attention plot, eval; another model's checkpoint refused") {
  const std::string dir = fresh_dir("ember_test_cli_run");
  const Outcome trained = run(kTinyRun + dir);
  INFO(trained.output);
  REQUIRE(trained.code == 0);
  CHECK(fs::exists(dir + "/metrics.csv"));
  CHECK(fs::exists(dir + "/curves.svg"));

  const Outcome translated = run("translate --run " + dir + " --attention " + dir + "/a.svg",
                                 "3 march 1998\\n12/25/99\\n");
  CHECK(translated.code == 0);
  CHECK(translated.lines() == 3);  // two translations and the note about the plot
  CHECK(fs::exists(dir + "/a.svg"));
  const Outcome beam = run("translate --run " + dir + " --beam 3", "3 march 1998\\n");
  CHECK(beam.code == 0);
  CHECK(beam.lines() == 1);

  const Outcome scored = run("eval --run " + dir + " --limit 10");
  CHECK(scored.code == 0);
  CHECK(contains(scored, "exact match: "));
  const Outcome bleu = run("eval --run " + dir + " --limit 10 --metric bleu");
  CHECK(contains(bleu, "BLEU|nrefs:1"));
  CHECK(contains(bleu, "chrF2|nrefs:1"));

  const std::string other = fresh_dir("ember_test_cli_other");
  REQUIRE(run(std::string(kTinyRun) + other + " --cell lstm --max-steps 1").code == 0);
  const Outcome refused =
      run("translate --run " + dir + " --checkpoint " + other + "/checkpoints/last.safetensors",
          "3 march 1998\\n");
  CHECK(refused.code == 2);
  CHECK(refused.lines() == 1);
  CHECK(contains(refused, "error"));
  fs::remove_all(dir);
  fs::remove_all(other);
}

TEST_CASE("impossible sizes and non-finite numbers: one error line naming the value, exit code 2") {
  const std::string dir = fresh_dir("ember_test_cli_bounds");
  const auto fails_with = [&dir](const std::string& args, const std::string& text) {
    const Outcome o = run("train --builtin dates --arch transformer --preset tiny " + args +
                          " --run-dir " + dir);
    INFO(args, " -> ", o.output);
    CHECK(o.code == 2);  // was SIGSEGV for --ff-dim 2^62
    CHECK(o.lines() == 1);
    CHECK(contains(o, text));
    CHECK_FALSE(fs::exists(dir));
  };
  fails_with("--ff-dim 4611686018427387904",
             "feedforward_dim = 4611686018427387904 is larger than the limit 262144");
  fails_with("--encoder-layers 1000000000", "encoder_layers = 1000000000 is larger than the limit");
  fails_with("--hidden-size 1000000000", "hidden_size = 1000000000 is larger than the limit");
  fails_with("--dropout nan", "--dropout expects a finite number, got 'nan'");
  fails_with("--lr inf", "--lr expects a finite number, got 'inf'");
}
