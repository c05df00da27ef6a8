// W5 autograd overhead and W6 sgemm through torch::matmul.
#include <torch/torch.h>

#include "common/bench.h"
#include "common/workloads.h"
#include "libtorch/runners.h"

namespace bench::libtorch {

// W5: a chain of kChainOps ops y = y + a, y = y * m (alternating) on side x side tensors that
// require grad, then sum(y).backward(). Figure: microseconds per chain op (forward + backward).
void run_w5(const Args& args, int64_t side) {
  const auto x = torch::randn({side, side}, torch::requires_grad());
  const auto chain = [&] {
    x.mutable_grad() = torch::Tensor();
    auto y = x;
    for (int i = 0; i < kChainOps; ++i) y = i % 2 == 0 ? y + kChainAdd : y * kChainMul;
    y.sum().backward();
  };
  const auto seconds = time_reps(args.warmup, args.reps, chain);
  print_result({.impl = "libtorch",
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
    const auto a = torch::randn({n, n});
    const auto b = torch::randn({n, n});
    const int inner = gemm_inner_iterations(n);
    const auto seconds = time_reps(args.warmup, args.reps, [&] {
      for (int i = 0; i < inner; ++i) torch::matmul(a, b);
    });
    print_rate("libtorch", args, "w6_" + std::to_string(n), "GFLOP/s", seconds,
               2.0 * n * n * n * inner / 1e9);
  }
}

}  // namespace bench::libtorch
