// mpirun -np N ember compare: the models dealt to the ranks give the same per-model results as
// one process; rank 0 writes the report over them; ranks started differently are refused and a
// failure on one rank ends every rank with its message. Built and registered only with MPI
// (tests/CMakeLists.txt), which passes the launcher as EMBER_TEST_MPIEXEC.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "ember/seq2seq/lab/lab_result.h"
#include "support/cli.h"
#include "support/files.h"

namespace fs = std::filesystem;
using ember::testing::Outcome;
namespace lab = ember::seq2seq::lab;

namespace {

// Two tiny models of the quick lab, a few updates each.
const std::string kFlags =
    "compare --quick --models lstm,transformer --max-steps 6 --batch-tokens 512 --eval-every 3 "
    "--log-every 2 --eval-sentences 8 --warmup 2 --dates-train-size 300 --test-sentences 20 "
    "--beam 2 --quiet";

std::string scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("ember-test-compare-ranks-" + name);
  fs::remove_all(dir);
  return dir.string();
}

// A shell command line, its stdout and stderr together, within 120 s.
Outcome run_shell(const std::string& command) {
  Outcome out;
  FILE* pipe = popen(("EMBER_NUM_THREADS=1 timeout 120 " + command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.output.append(buffer, n);
  out.code = ember::testing::exit_code(pclose(pipe));
  return out;
}

std::string program() { return "'" + ember::testing::ember_path() + "'"; }

}  // namespace

TEST_CASE("2 ranks train the models of 1 process, one each, and rank 0 writes the report") {
  const std::string one = scratch("one"), two = scratch("two");
  const Outcome a = run_shell(fmt::format("{} {} --out {}", program(), kFlags, one));
  REQUIRE_MESSAGE(a.code == 0, a.output);
  const Outcome b =
      run_shell(fmt::format("{} -np 2 {} {} --out {}", EMBER_TEST_MPIEXEC, program(), kFlags, two));
  REQUIRE_MESSAGE(b.code == 0, b.output);
  for (const char* model : {"lstm", "transformer"}) {
    CAPTURE(model);
    const lab::LabResult x = lab::read_lab_result(lab::result_dir(one, model, 1));
    const lab::LabResult y = lab::read_lab_result(lab::result_dir(two, model, 1));
    REQUIRE(x.result.curve.size() == 2);
    REQUIRE(y.result.curve.size() == x.result.curve.size());
    for (size_t i = 0; i < x.result.curve.size(); ++i) {
      CHECK(y.result.curve[i].step == x.result.curve[i].step);
      CHECK(y.result.curve[i].valid_loss ==
            doctest::Approx(x.result.curve[i].valid_loss).epsilon(1e-6));
    }
    CHECK(y.result.greedy_score == x.result.greedy_score);
    CHECK(y.result.beam_score == x.result.beam_score);
    CHECK(y.result.parameters == x.result.parameters);
    CHECK(fs::exists(fs::path(two) / "runs" / model / "config.json"));
  }
  // Rank 0's report over both ranks' results.
  const std::string report = ember::testing::read_file(fs::path(two) / "report.md");
  CHECK(report.find("| lstm | n=1 |") != std::string::npos);
  CHECK(report.find("| transformer | n=1 |") != std::string::npos);
  CHECK(fs::exists(fs::path(two) / "curves.svg"));
  fs::remove_all(one);
  fs::remove_all(two);
}

TEST_CASE("ranks started differently are refused; a failure on one rank ends all, naming it") {
  const std::string out = scratch("differ");
  const Outcome differ =
      run_shell(fmt::format("{} -np 1 {} {} --out {} --seed 1 : -np 1 {} {} --out {} --seed 2",
                            EMBER_TEST_MPIEXEC, program(), kFlags, out, program(), kFlags, out));
  CHECK(differ.code != 0);
  CHECK(differ.code != 124);  // ended by itself, not by timeout(1)
  CHECK(differ.contains("the ranks were started differently"));
  CHECK(differ.contains("train.seed"));
  fs::remove_all(out);

  // Rank 1's transformer cannot write its result directory (a file is in the way); rank 0's lstm
  // finishes, and both ranks end with rank 1's error.
  const std::string blocked = scratch("blocked");
  fs::create_directories(fs::path(blocked) / "results");
  ember::testing::write_file(fs::path(lab::result_dir(blocked, "transformer", 1)), "in the way");
  const Outcome failed = run_shell(
      fmt::format("{} -np 2 {} {} --out {}", EMBER_TEST_MPIEXEC, program(), kFlags, blocked));
  CHECK(failed.code != 0);
  CHECK(failed.code != 124);
  CHECK(failed.contains("rank 0 of 2: [compare] 1 of 2 ranks failed: rank 1 (transformer)"));
  CHECK(failed.contains("rank 1 of 2: [compare] 1 of 2 ranks failed: rank 1 (transformer)"));
  CHECK(fs::exists(fs::path(lab::result_dir(blocked, "lstm", 1)) / "result.json"));
  CHECK_FALSE(fs::exists(fs::path(blocked) / "report.md"));
  fs::remove_all(blocked);
}
