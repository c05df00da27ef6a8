// mpirun -np N ember train: the same updates as one process, reruns bit-identical, resume, and
// ranks started differently refused (a rank that dies, hangs or fails alone:
// test_rank_faults.cpp). Built and registered only with MPI (tests/CMakeLists.txt), which passes
// the launcher as EMBER_TEST_MPIEXEC.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ember/core/safetensors.h"
#include "mpi/shell.h"
#include "support/checkpoint_bytes.h"

namespace fs = std::filesystem;
using ember::testing::mpi_scratch;
using ember::testing::Outcome;
using ember::testing::run_script;

namespace {

// A small attention model on the dates corpus, dropout off, a metrics row at every update.
const std::string kFlags =
    "--builtin dates --dates-train-size 1000 --arch rnn_attention --preset tiny --dropout 0 "
    "--batch-tokens 256 --log-every 1 --eval-every 50 --eval-sentences 30 --metric exact "
    "--warmup 10 --quiet";

// `ember train` on `ranks` ranks (1: a plain process, no mpirun), within 300 s.
Outcome train(int ranks, const std::string& args) {
  const std::string launcher =
      ranks == 1 ? "" : fmt::format("{} -np {} ", EMBER_TEST_MPIEXEC, ranks);
  return run_script(fmt::format("EMBER_NUM_THREADS=1 timeout 300 {}'{}' train {}", launcher,
                                ember::testing::ember_path(), args));
}

// The training loss of each update, from metrics.csv (its rows without a loss are evaluations).
std::vector<double> losses(const std::string& run_dir) {
  std::ifstream in(run_dir + "/metrics.csv");
  std::string line;
  std::getline(in, line);  // header: step,epoch,loss,...
  std::vector<double> out;
  while (std::getline(in, line)) {
    const size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
    const std::string loss = line.substr(b + 1, c - b - 1);
    if (!loss.empty()) out.push_back(std::stod(loss));
  }
  return out;
}

// The largest difference between two checkpoints' tensors relative to max(1, |value|).
double max_relative_difference(const std::string& a, const std::string& b) {
  const ember::core::SafeTensors x = ember::core::load_safetensors(a);
  const ember::core::SafeTensors y = ember::core::load_safetensors(b);
  REQUIRE(x.floats.size() == y.floats.size());
  double worst = 0.0;
  for (const auto& [name, array] : x.floats) {
    REQUIRE(y.floats.count(name) == 1);
    const std::vector<float> u = array.to_vector(), v = y.floats.at(name).to_vector();
    REQUIRE(u.size() == v.size());
    for (size_t i = 0; i < u.size(); ++i)
      worst =
          std::max(worst, std::abs(double(u[i]) - v[i]) / std::max(1.0, std::abs(double(u[i]))));
  }
  return worst;
}

}  // namespace

TEST_CASE("1, 2 and 3 ranks make the same 100 updates; a rerun is bit-identical") {
  std::vector<std::string> dirs;
  for (int ranks : {1, 2, 3}) {
    dirs.push_back(mpi_scratch(std::to_string(ranks)));
    const Outcome out = train(ranks, kFlags + " --max-steps 100 --run-dir " + dirs.back());
    INFO(out.output);
    REQUIRE(out.code == 0);
  }
  const std::vector<double> one = losses(dirs[0]);
  REQUIRE(one.size() == 100);
  for (size_t k = 1; k < dirs.size(); ++k) {
    const std::vector<double> many = losses(dirs[k]);
    REQUIRE(many.size() == one.size());
    for (size_t i = 0; i < one.size(); ++i) {
      INFO("ranks " << k + 1 << ", update " << i + 1);
      CHECK(std::abs(many[i] - one[i]) <= 1e-5 * std::abs(one[i]));
    }
    // Parameters and Adam's moments after 100 updates.
    CHECK(max_relative_difference(dirs[0] + "/checkpoints/last.safetensors",
                                  dirs[k] + "/checkpoints/last.safetensors") < 1e-3);
  }
  const std::string again = mpi_scratch("3-again");
  const Outcome out = train(3, kFlags + " --max-steps 100 --run-dir " + again);
  REQUIRE(out.code == 0);
  CHECK(losses(again) == losses(dirs[2]));
  CHECK(ember::testing::checkpoint_without_times(again + "/checkpoints/last.safetensors") ==
        ember::testing::checkpoint_without_times(dirs[2] + "/checkpoints/last.safetensors"));
}

TEST_CASE("2 ranks resume from rank 0's checkpoint and continue exactly") {
  const std::string whole = mpi_scratch("whole"), split = mpi_scratch("split");
  REQUIRE(train(2, kFlags + " --max-steps 60 --run-dir " + whole).code == 0);
  REQUIRE(train(2, kFlags + " --max-steps 30 --run-dir " + split).code == 0);
  const Outcome resumed = train(2, "--resume --max-steps 60 --quiet --run-dir " + split);
  INFO(resumed.output);
  REQUIRE(resumed.code == 0);
  CHECK(losses(split) == losses(whole));
}

TEST_CASE("ranks started with different settings or data are refused, naming the difference") {
  const std::string dir = mpi_scratch("different");
  const std::string common = fmt::format(
      "--builtin dates --arch rnn_attention --preset tiny --max-steps 5 --batch-tokens 256 "
      "--quiet --run-dir {}",
      dir);
  const std::string ember = ember::testing::ember_path();
  const Outcome out = run_script(fmt::format(
      "EMBER_NUM_THREADS=1 timeout 120 {} -np 1 '{}' train {} --lr 0.001 : -np 1 '{}' train {} "
      "--lr 0.002 --dates-train-size 900",
      EMBER_TEST_MPIEXEC, ember, common, ember, common));
  INFO(out.output);
  CHECK(out.code == 2);
  CHECK(
      out.contains("rank 0 of 2: [run] the ranks were started differently: rank 1 differs "
                   "from rank 0 in data.dates_train_size 20000 -> 900"));
  CHECK(out.contains("rank 1 of 2: [run] the ranks were started differently"));
  CHECK(out.contains("train.lr"));
  CHECK_FALSE(fs::exists(dir));  // refused before anything was written
}
