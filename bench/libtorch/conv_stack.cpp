// W3: a stack of kConvLayers 1-D convolutions (C -> C, kernel 3, padding 1) with ReLU, or the
// GLU variant (C -> 2C, then GLU over channels: a * sigmoid(b), Dauphin et al. 2017).
// Forward and backward of sum(output); the input needs no gradient.
#include <torch/torch.h>

#include "common/bench.h"
#include "common/workloads.h"
#include "libtorch/runners.h"

namespace bench::libtorch {

namespace {

// (B, C, L) -> (B, C, L)
torch::nn::Sequential make_stack(bool glu) {
  torch::nn::Sequential stack;
  const int64_t out_channels = glu ? 2 * kConvChannels : kConvChannels;
  for (int i = 0; i < kConvLayers; ++i) {
    stack->push_back(torch::nn::Conv1d(
        torch::nn::Conv1dOptions(kConvChannels, out_channels, kConvKernel).padding(1)));
    if (glu) {
      stack->push_back(torch::nn::GLU(torch::nn::GLUOptions(1)));
    } else {
      stack->push_back(torch::nn::ReLU());
    }
  }
  return stack;
}

}  // namespace

// W3: positions/s (B * L positions per forward + backward).
void run_w3(const Args& args, bool glu) {
  auto stack = make_stack(glu);
  const auto params = stack->parameters();
  const auto input = torch::randn({kConvBatch, kConvChannels, kConvLength});
  const auto step = [&] {
    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    stack->forward(input).sum().backward();
  };
  const auto seconds = time_reps(args.warmup, args.reps, step);
  print_rate("libtorch", args, glu ? "w3glu" : "w3", "positions/s", seconds,
             double{kConvBatch} * kConvLength);
}

}  // namespace bench::libtorch
