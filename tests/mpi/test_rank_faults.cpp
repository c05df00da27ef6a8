// mpirun -np 2 ember train when one rank goes wrong (docs/distributed.md, "Faults"): killed, hung,
// or failing alone on its own input. The job must end by itself within a bound, non-zero, saying
// which rank. Built and registered only with MPI (tests/CMakeLists.txt), which passes the
// launcher as EMBER_TEST_MPIEXEC.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "mpi/shell.h"

using ember::testing::mpi_scratch;
using ember::testing::Outcome;
using ember::testing::run_script;

namespace {

// The tiny attention model on the dates corpus, a metrics row at every update, no evaluation.
const std::string kFlags =
    "--builtin dates --dates-train-size 1000 --arch rnn_attention --preset tiny --dropout 0 "
    "--batch-tokens 256 --log-every 1 --eval-every 0 --metric exact --warmup 10 --quiet "
    "--max-steps 100000";

// Starts `ember train` on 2 ranks in the background, each rank writing its process id to
// <pids>/<rank> before it becomes ember (exec keeps the id); waits until rank 0 has logged 3
// updates (polling metrics.csv, at most 60 s), sends `signal` to rank 1, and waits for the job.
// timeout(1) ends the job after 120 s with code 124. Prints the exit code, the updates before
// the signal and the seconds from the signal to the job's end.
Outcome train_and_signal(const std::string& name, const std::string& signal,
                         const std::string& environment) {
  const std::string dir = mpi_scratch(name), pids = mpi_scratch(name + "-pids");
  return run_script(fmt::format(
      "mkdir -p {pids}\n"
      "EMBER_NUM_THREADS=1 {env} timeout 120 {mpiexec} -np 2 sh -c "
      "'echo $$ > {pids}/$OMPI_COMM_WORLD_RANK; exec {ember} train {flags} --run-dir {dir}' &\n"
      "job=$!\n"
      "updates=0\n"
      "for i in $(seq 600); do\n"
      "  [ -f {dir}/metrics.csv ] && updates=$(($(wc -l < {dir}/metrics.csv) - 1))\n"
      "  [ $updates -ge 3 ] && [ -f {pids}/1 ] && break\n"
      "  sleep 0.1\n"
      "done\n"
      "echo \"updates before the signal: $updates\"\n"
      "signalled=$EPOCHREALTIME\n"
      "kill -{signal} $(cat {pids}/1)\n"
      "wait $job\n"
      "echo \"exit code $?\"\n"
      "echo \"seconds from the signal to the end: $(awk \"BEGIN {{ print int($EPOCHREALTIME - "
      "$signalled) }}\")\"",
      fmt::arg("pids", pids), fmt::arg("env", environment), fmt::arg("mpiexec", EMBER_TEST_MPIEXEC),
      fmt::arg("ember", ember::testing::ember_path()), fmt::arg("flags", kFlags),
      fmt::arg("dir", dir), fmt::arg("signal", signal)));
}

// The number printed after `label` (-1 if absent).
int number_after(const Outcome& out, const std::string& label) {
  const size_t at = out.output.find(label);
  return at == std::string::npos ? -1 : std::stoi(out.output.substr(at + label.size()));
}

}  // namespace

TEST_CASE("a rank killed mid-training ends the job within seconds, naming the rank") {
  const Outcome out = train_and_signal("fault-killed", "KILL", "");
  INFO(out.output);
  REQUIRE(number_after(out, "updates before the signal: ") >= 3);
  // Open MPI notices the death at once and ends the other rank (SIGTERM, then SIGKILL 1 s later).
  CHECK(out.contains("process rank 1 with PID"));
  CHECK(out.contains("exited on signal 9"));
  const int code = number_after(out, "exit code ");
  CHECK(code != 0);
  CHECK(code != 124);  // ended by itself, not by timeout(1)
  CHECK(number_after(out, "seconds from the signal to the end: ") < 60);
}

TEST_CASE("a hung rank ends the job after EMBER_DISTRIBUTED_TIMEOUT") {
  // Rank 1 stopped (SIGSTOP) is alive to Open MPI: rank 0's collective times out, and its error
  // aborts the job (MPI_Abort), the stopped rank included.
  const Outcome out = train_and_signal("fault-hung", "STOP", "EMBER_DISTRIBUTED_TIMEOUT=3");
  INFO(out.output);
  REQUIRE(number_after(out, "updates before the signal: ") >= 3);
  CHECK(
      out.contains("error rank 0 of 2: [distributed] rank 0 of 2 waited 3 s for the other ranks "
                   "to join"));
  CHECK(number_after(out, "exit code ") == 2);
  CHECK(number_after(out, "seconds from the signal to the end: ") < 60);
}

TEST_CASE("an error on one rank alone ends every rank with it") {
  // The same flags on both ranks, each in its own directory (mpirun --wdir), as on two machines;
  // rank 1's copy of the corpus lacks train.en. Rank 0 would wait for it in the ranks' agreement.
  const std::string dir = mpi_scratch("fault-one-rank");
  const std::string flags =
      "--data data --src de --tgt en --arch rnn_attention --preset tiny --batch-tokens 256 "
      "--max-steps 5 --quiet --run-dir run";
  const std::string ember = ember::testing::ember_path();
  const Outcome out = run_script(fmt::format(
      "mkdir -p {dir}/0/data {dir}/1/data\n"
      "for i in $(seq 40); do echo \"ein satz $i\"; done > {dir}/0/data/train.de\n"
      "for i in $(seq 40); do echo \"a sentence $i\"; done > {dir}/0/data/train.en\n"
      "cp {dir}/0/data/train.de {dir}/0/data/valid.de; cp {dir}/0/data/train.en "
      "{dir}/0/data/valid.en\n"
      "cp {dir}/0/data/*.de {dir}/0/data/valid.en {dir}/1/data/\n"
      "EMBER_NUM_THREADS=1 timeout 120 {mpiexec} -np 1 --wdir {dir}/0 {ember} train {flags} : "
      "-np 1 --wdir {dir}/1 {ember} train {flags}\n"
      "echo \"exit code $?\"",
      fmt::arg("dir", dir), fmt::arg("mpiexec", EMBER_TEST_MPIEXEC), fmt::arg("ember", ember),
      fmt::arg("flags", flags)));
  INFO(out.output);
  CHECK(out.contains("error rank 1 of 2:"));
  CHECK(out.contains("cannot read 'data/train.en"));
  CHECK_FALSE(out.contains("error rank 0 of 2"));  // rank 0 had nothing wrong: ended by the abort
  CHECK(number_after(out, "exit code ") == 2);
}
