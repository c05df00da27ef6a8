// ember-bench: the ember side of bench/ (docs/performance.md).
//   ember-bench --workload NAME --threads N [--reps R] [--warmup W] [--precision fp32|bf16]
// Threads: core::set_num_threads(N) sets ember's pool. EMBER_ISA lowers the kernels' instruction
// set (docs/performance.md); every RESULT names the one in use (isa), the GEMM library and the
// precision: --precision bf16 runs every product in bf16 (core/precision.h), which
// bench/run.py --bf16 compares with fp32.
#include <iostream>
#include <string_view>
#include <vector>

#include "common/bench.h"
#include "common/workloads.h"
#include "ember/core/blas.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"
#include "ember/core/precision.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"
#include "ember/distributed/collectives.h"
#include "ember/runners.h"

namespace bench::ember_side {

ember::core::IndexArray random_ids(int64_t rows, int64_t cols) {
  auto& generator = ember::core::default_generator();
  std::vector<int64_t> ids(static_cast<size_t>(rows * cols));
  for (int64_t& id : ids) id = generator.randint(kVocab);
  return ember::core::IndexArray(std::move(ids), {rows, cols});
}

}  // namespace bench::ember_side

int main(int argc, char** argv) try {
  using bench::Args;
  // --precision NAME, ember's own flag, is taken out before the common ones are parsed.
  std::vector<char*> common_args;
  auto precision = ember::core::MatmulPrecision::fp32;
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--precision" && i + 1 < argc) {
      const std::string_view name = argv[++i];
      EMBER_CHECK(name == "fp32" || name == "bf16", "--precision: fp32 or bf16, got {}", name);
      if (name == "bf16") precision = ember::core::MatmulPrecision::bf16;
    } else {
      common_args.push_back(argv[i]);
    }
  }
  ember::core::set_matmul_precision(precision);  // this thread's, and its pool jobs'

  namespace es = bench::ember_side;
  const std::map<std::string, bench::Runner, std::less<>> runners = {
      {"w1", [](const Args& a) { es::run_w1(a, es::GradientMode::kLocal); }},
      {"w2", [](const Args& a) { es::run_w2(a, es::GradientMode::kLocal); }},
      // Data-parallel under mpirun: all-reduce overlapped with backward, or after it.
      {"w1dp", [](const Args& a) { es::run_w1(a, es::GradientMode::kOverlapped); }},
      {"w1dp_after", [](const Args& a) { es::run_w1(a, es::GradientMode::kAfterBackward); }},
      {"w2dp", [](const Args& a) { es::run_w2(a, es::GradientMode::kOverlapped); }},
      {"w2dp_after", [](const Args& a) { es::run_w2(a, es::GradientMode::kAfterBackward); }},
      {"w3", [](const Args& a) { es::run_w3(a, false); }},
      {"w3glu", [](const Args& a) { es::run_w3(a, true); }},
      {"w4kv_b1", [](const Args& a) { es::run_w4(a, 1, false); }},
      {"w4kv_b32", [](const Args& a) { es::run_w4(a, 32, false); }},
      {"w4kv_b1_int8", [](const Args& a) { es::run_w4(a, 1, true); }},
      {"w4kv_b32_int8", [](const Args& a) { es::run_w4(a, 32, true); }},
      {"w5_1", [](const Args& a) { es::run_w5(a, 1); }},
      {"w5_64", [](const Args& a) { es::run_w5(a, 64); }},
      {"w6", es::run_w6},
  };
  const auto set_threads = [](int threads) {
    ember::core::set_num_threads(threads);
    ember::core::manual_seed(bench::kSeed);
    // The instruction set in use (EMBER_ISA or the CPU's best) and what runs the GEMMs.
    bench::set_result_labels(
        {{"isa", std::string(isa_name(ember::core::active_isa()))},
         {"cpu_isa", std::string(isa_name(ember::core::cpu_isa()))},
         {"gemm", std::string(ember::core::gemm_backend())},
         {"precision", std::string(precision_name(ember::core::matmul_precision()))}});
  };
  const ember::distributed::Session session;  // MPI under mpirun (the w*dp workloads)
  return bench::run_program(static_cast<int>(common_args.size()), common_args.data(), set_threads,
                            runners);
} catch (const ember::Error& e) {
  std::cerr << argv[0] << ": " << e.what() << "\n";
  return 2;
}
