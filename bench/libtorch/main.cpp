// bench-libtorch: the libtorch side of bench/ (docs/performance.md).
//   bench-libtorch --workload NAME --threads N [--reps R] [--warmup W]
// Threads: at::set_num_threads(N) for torch's OpenMP pool; OpenBLAS takes its thread count from
// the environment (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS), which bench/run.py sets per run.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "common/bench.h"
#include "common/workloads.h"
#include "libtorch/runners.h"

int main(int argc, char** argv) {
  using bench::Args;
  namespace lt = bench::libtorch;
  const std::map<std::string, bench::Runner, std::less<>> runners = {
      {"w1", lt::run_w1},
      {"w2", lt::run_w2},
      {"w3", [](const Args& a) { lt::run_w3(a, false); }},
      {"w3glu", [](const Args& a) { lt::run_w3(a, true); }},
      {"w4kv_b1", [](const Args& a) { lt::run_w4(a, 1); }},
      {"w4kv_b32", [](const Args& a) { lt::run_w4(a, 32); }},
      {"w5_1", [](const Args& a) { lt::run_w5(a, 1); }},
      {"w5_64", [](const Args& a) { lt::run_w5(a, 64); }},
      {"w6", lt::run_w6},
  };
  const auto set_threads = [](int threads) {
    at::set_num_threads(threads);
    torch::manual_seed(bench::kSeed);
  };
  return bench::run_program(argc, argv, set_threads, runners);
}
