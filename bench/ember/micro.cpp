// W5 autograd overhead and W6 sgemm through core::matmul.
#include "ember/autograd/ops/arithmetic.h"
#include "common/bench.h"
#include "common/workloads.h"
#include "ember/core/matmul.h"
#include "ember/runners.h"

namespace bench::ember_side {

using ember::Tensor;

// W5: a chain of kChainOps ops y = y + a, y = y * m (alternating) on side x side tensors that
// require grad, then sum(y).backward(). Figure: microseconds per chain op (forward + backward).
void run_w5(const Args& args, int64_t side) {
  Tensor x = Tensor::randn({side, side}, true);
  const auto chain = [&] {
    x.zero_grad();
    Tensor y = x;
    for (int i = 0; i < kChainOps; ++i) {
      y = i % 2 == 0 ? y + static_cast<float>(kChainAdd) : y * static_cast<float>(kChainMul);
    }
    y.sum().backward();
  };
  const auto seconds = time_reps(args.warmup, args.reps, chain);
  print_result({.impl = "ember",
                .workload = "w5_" + std::to_string(side),
                .threads = args.threads,
                .unit = "us/op",
                .samples = micros_per(seconds, kChainOps),
                .warmup = args.warmup,
                .extra = {}});
}

// W6: GFLOP/s of n x n by n x n products (2 n^3 FLOPs each), gemm_inner_iterations(n) per rep.
void run_w6(const Args& args) {
  for (const int n : kGemmSizes) {
    const Tensor a = Tensor::randn({n, n});
    const Tensor b = Tensor::randn({n, n});
    const int inner = gemm_inner_iterations(n);
    const auto seconds = time_reps(args.warmup, args.reps, [&] {
      for (int i = 0; i < inner; ++i) ember::core::matmul(a.data(), b.data());
    });
    print_rate("ember", args, "w6_" + std::to_string(n), "GFLOP/s", seconds,
               2.0 * n * n * n * inner / 1e9);
  }
}

}  // namespace bench::ember_side
