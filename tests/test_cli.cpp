// The `ember` program (seq2seq/cli/), run as a user runs it: help, exit codes, one-line errors,
// and a tiny train -> translate -> eval round trip. The program is found next to this test in
// the build tree (<build>/seq2seq/ember).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "support/cli.h"

namespace fs = std::filesystem;

namespace {

using ember::testing::Outcome;

Outcome run(const std::string& args, const std::string& input = "") {
  return ember::testing::run_ember(args, input);
}

bool contains(const Outcome& o, const std::string& text) { return o.contains(text); }

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
  REQUIRE_MESSAGE(fs::exists(ember::testing::ember_path()),
                  "build the ember_cli target first: " << ember::testing::ember_path());
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
  CHECK(contains(top, "ember --version"));
  CHECK(contains(top, "--log-level trace|debug|info|warn|error|off"));
  CHECK(contains(run("train --help"), "--batch-tokens N"));
  CHECK(contains(run("translate --help"), "--attention FILE.svg"));
  const Outcome none = run("");
  CHECK(none.code == 2);
  CHECK(contains(none, "usage: ember <command>"));
}

TEST_CASE("--log-level and --quiet: every command lists them and refuses a bad level") {
  for (const char* command :
       {"train", "translate", "eval", "demo translate", "demo summarize", "compare", "probe"}) {
    INFO(command);
    const Outcome help = run(std::string(command) + " --help");
    CHECK(contains(help, "--log-level trace|debug|info|warn|error|off"));
    CHECK(contains(help, "--quiet"));
    const Outcome bad = run(std::string(command) + " --log-level loud");
    CHECK(bad.code == 2);
    CHECK(bad.lines() == 1);
    CHECK(contains(bad, "--log-level expects one of trace|debug|info|warn|error|off, got 'loud'"));
  }
  const Outcome both = run("train --quiet --log-level debug");
  CHECK(both.code == 2);
  CHECK(contains(both, "give --quiet or --log-level, not both"));
  // The error that ends the program shows even when no log line is to be shown.
  const Outcome off = run("eval --run /nonexistent_ember_run --log-level off");
  CHECK(off.code == 2);
  CHECK(off.lines() == 1);
  CHECK(contains(off, "is not a run directory"));
}

TEST_CASE("--quiet: a run prints nothing, eval only its score; --log-level debug adds checkpoints") {
  const std::string dir = fresh_dir("ember_test_cli_quiet");
  const Outcome quiet = run(kTinyRun + dir + " --max-steps 3 --quiet");
  CHECK(quiet.code == 0);
  CHECK(quiet.output.empty());
  const Outcome scored = run("eval --run " + dir + " --limit 5 --quiet");
  CHECK(scored.code == 0);
  CHECK(scored.lines() == 1);
  CHECK(scored.output.rfind("exact match: ", 0) == 0);
  const Outcome debug = run("train --resume --max-steps 5 --log-level debug --run-dir " + dir);
  INFO(debug.output);
  CHECK(debug.code == 0);
  CHECK(contains(debug, "debug checkpoint " + dir + "/checkpoints/last.safetensors"));
  CHECK_FALSE(contains(run("train --resume --max-steps 6 --run-dir " + dir), "debug"));
  fs::remove_all(dir);
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
  const Outcome patience = run(kTinyRun + dir + " --eval-beam 2 --eval-beam-patience 0");
  CHECK(patience.code == 2);
  CHECK(contains(patience, "patience = 0 must be in (0, 1000]"));
  CHECK_FALSE(fs::exists(dir));
  const Outcome borrowed = run(kTinyRun + dir + " --tokenizer-from /nonexistent_ember_run");
  CHECK(borrowed.code == 2);
  CHECK(contains(borrowed, "--tokenizer-from /nonexistent_ember_run: not a run directory"));
  CHECK_FALSE(fs::exists(dir));
  const Outcome init = run(kTinyRun + dir + " --init-from /nonexistent_ember_run");
  CHECK(init.code == 2);
  CHECK(contains(init, "--init-from /nonexistent_ember_run: not a run directory nor a checkpoint"));
  CHECK_FALSE(fs::exists(dir));
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
  CHECK(translated.lines() == 4);  // two translations, the speed and the note about the plot
  CHECK(fs::exists(dir + "/a.svg"));
  const Outcome beam = run("translate --run " + dir + " --beam 3 --quiet", "3 march 1998\\n");
  CHECK(beam.code == 0);
  CHECK(beam.lines() == 1);

  // The output length limit: a * source length + b tokens (characters here), both >= 0.
  const Outcome capped =
      run("translate --run " + dir + " --max-len-a 0 --max-len-b 3 --quiet", "3 march 1998\\n");
  CHECK(capped.code == 0);
  CHECK(capped.output.size() <= 4);  // at most 3 characters and the newline
  // No </s> before --min-len tokens: a date (10 characters) comes out at least 14 long.
  const Outcome lengthened =
      run("translate --run " + dir + " --min-len 14 --quiet", "3 march 1998\n");
  CHECK(lengthened.code == 0);
  CHECK(lengthened.output.size() >= 15);  // 14 characters or more and the newline
  // --no-repeat-ngram 1: no character twice (a date has several: "1998-03-03").
  const Outcome distinct =
      run("translate --run " + dir + " --no-repeat-ngram 1 --quiet", "3 march 1998\n");
  CHECK(distinct.code == 0);
  const std::string line = distinct.output.substr(0, distinct.output.find('\n'));
  CHECK(std::set<char>(line.begin(), line.end()).size() == line.size());
  for (const std::string command : {"translate", "eval"}) {
    INFO(command);
    const Outcome a = run(command + " --run " + dir + " --max-len-a -1", "3 march 1998\\n");
    CHECK(a.code == 2);
    CHECK(a.lines() == 1);
    CHECK(contains(a, "[flags] --max-len-a must be in [0, 1000], got -1"));
    const Outcome b = run(command + " --run " + dir + " --max-len-b -3", "3 march 1998\\n");
    CHECK(b.code == 2);
    CHECK(b.lines() == 1);
    CHECK(contains(b, "[flags] --max-len-b must be in [0, 1048576], got -3"));
    const Outcome m = run(command + " --run " + dir + " --min-len -2", "3 march 1998\n");
    CHECK(m.code == 2);
    CHECK(m.lines() == 1);
    CHECK(contains(m, "[flags] --min-len must be in [0, 1048576], got -2"));
    const Outcome n = run(command + " --run " + dir + " --no-repeat-ngram -1", "3 march 1998\n");
    CHECK(n.code == 2);
    CHECK(contains(n, "[flags] --no-repeat-ngram must be in [0, 1048576], got -1"));
    const Outcome u = run(command + " --run " + dir + " --disable-unk=yes", "3 march 1998\n");
    CHECK(u.code == 2);
    CHECK(contains(u, "--disable-unk takes no value"));
    for (const std::string patience : {"0", "-1", "1001"}) {
      const Outcome p = run(command + " --run " + dir + " --beam 2 --beam-patience " + patience,
                            "3 march 1998\n");
      CHECK(p.code == 2);
      CHECK(contains(p, "[flags] --beam-patience must be in (0, 1000], got " + patience));
    }
    const Outcome nan = run(command + " --run " + dir + " --beam 2 --beam-patience nan", "");
    CHECK(nan.code == 2);
    CHECK(contains(nan, "[flags] --beam-patience expects a finite number, got 'nan'"));
    const Outcome mbr = run(command + " --run " + dir + " --mbr bleu", "3 march 1998\n");
    CHECK(mbr.code == 2);  // greedy search has one output to choose from
    CHECK(contains(mbr, "minimum Bayes-risk decoding (mbr = bleu)"));
    CHECK(contains(mbr, "needs beam_size >= 2, got 1"));
    const Outcome utility =
        run(command + " --run " + dir + " --beam 2 --mbr ter", "3 march 1998\n");
    CHECK(utility.code == 2);
    CHECK(contains(utility, "--mbr"));
  }
  // A patient beam and a minimum Bayes-risk choice decode.
  const Outcome patient =
      run("translate --run " + dir + " --beam 3 --beam-patience 2 --quiet", "3 march 1998\n");
  CHECK(patient.code == 0);
  CHECK(patient.lines() == 1);
  const Outcome chosen =
      run("translate --run " + dir + " --beam 3 --mbr chrf --quiet", "3 march 1998\n");
  CHECK(chosen.code == 0);
  CHECK(chosen.lines() == 1);

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

TEST_CASE("--patience: validations without a better score stop training, and the log says why") {
  const std::string dir = fresh_dir("ember_test_cli_patience");
  // At a learning rate of 1e-9 the model stays as it was: no validation scores better than the
  // first, so the third one (update 3) ends the run.
  const Outcome o = run(
      "train --builtin dates --dates-train-size 200 --tokenizer char --vocab-size 0 --arch "
      "rnn_attention --preset tiny --embedding-dim 8 --hidden-size 16 --epochs 50 --batch-tokens "
      "400 --schedule constant --warmup 0 --metric exact --eval-sentences 20 --lr 1e-9 "
      "--eval-every 1 --patience 2 --run-dir " +
      dir);
  INFO(o.output);
  CHECK(o.code == 0);
  CHECK(contains(o, "stopped early: the best exact_match ("));
  CHECK(contains(o, "has not improved in 2 validations (patience 2) (3 updates"));
  const Outcome bad = run("train --builtin dates --patience -1 --run-dir " + dir + "_bad");
  CHECK(bad.code == 2);
  CHECK(bad.lines() == 1);
  CHECK(contains(bad, "patience must be >= 0 (0: no early stopping), got -1"));
  CHECK_FALSE(fs::exists(dir + "_bad"));
  fs::remove_all(dir);
}

TEST_CASE("translate: empty lines stay empty, long lines are cut, bad input is refused") {
  const std::string dir = fresh_dir("ember_test_cli_lines");
  const Outcome trained =
      run("train --builtin dates --dates-train-size 200 --tokenizer char --vocab-size 0 --arch "
          "transformer --preset tiny --max-positions 100 --max-steps 2 --batch-tokens 400 "
          "--warmup 1 --metric exact --eval-sentences 5 --run-dir " +
          dir);
  INFO(trained.output);
  REQUIRE(trained.code == 0);
  const std::string translate = "translate --run " + dir;
  const std::string quiet = translate + " --quiet";

  // An empty or blank line gives an empty line, in its place; a lone CR ends a line too.
  const Outcome blank = run(quiet, "3 march 1998\\n\\n  \\n12/25/99\\r\\r5 may 2001\\n");
  INFO(blank.output);
  CHECK(blank.code == 0);
  CHECK(blank.lines() == 6);
  CHECK(blank.output.find("\n\n\n") != std::string::npos);  // lines 2 and 3 empty
  CHECK(blank.output.find("\n\n", blank.output.find("\n\n\n") + 3) != std::string::npos);

  // A line longer than the model's 100 positions is cut with one warning; the others translate.
  const std::string long_line(5000, '7');
  const Outcome cut = run(quiet, "3 march 1998\\n" + long_line + "\\n12/25/99\\n");
  INFO(cut.output);
  CHECK(cut.code == 0);
  CHECK(cut.lines() == 4);  // three translations and the warning
  CHECK(contains(cut, "1 of 3 input lines were longer than the model reads"));

  // stdin is checked like a file: invalid UTF-8 is refused, naming the line.
  const Outcome bad = run(translate, "3 march 1998\\n\\377 may\\n");
  CHECK(bad.code == 2);
  CHECK(bad.lines() == 1);
  CHECK(contains(bad, "'<stdin>' line 2: invalid UTF-8 at byte 1"));

  // A directory, a device or a FIFO as --input: said so, never read.
  const Outcome directory = run(translate + " --input " + dir);
  CHECK(directory.code == 2);
  CHECK(contains(directory, "': it is a directory"));
  CHECK(contains(run(translate + " --input /dev/null"), "(a character device)"));
  const std::string fifo = dir + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(contains(run(translate + " --input " + fifo), "(a FIFO)"));
  fs::remove_all(dir);
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
