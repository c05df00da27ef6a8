// W3: a stack of kConvLayers 1-D convolutions (C -> C, kernel 3, padding 1) with ReLU, or the
// GLU variant (C -> 2C, then GLU over channels: a * sigmoid(b), Dauphin et al. 2017), with
// nn::Conv1D and ember::glu. Forward and backward of sum(output); the input needs no gradient.
#include "ember/autograd/ops/activation.h"
#include "common/bench.h"
#include "common/workloads.h"
#include "ember/runners.h"
#include "ember/layers/conv1d.h"

namespace bench::ember_side {

namespace {

using ember::Tensor;

// x: (B, C, L) -> (B, C, L)
Tensor run_stack(const std::vector<std::shared_ptr<ember::nn::Conv1D>>& stack, Tensor x, bool glu) {
  for (const auto& conv : stack) {
    x = conv->forward(x);
    x = glu ? ember::glu(x, 1) : ember::relu(x);
  }
  return x;
}

}  // namespace

// W3: positions/s (B * L positions per forward + backward).
void run_w3(const Args& args, bool glu) {
  const int64_t out_channels = glu ? 2 * kConvChannels : kConvChannels;
  std::vector<std::shared_ptr<ember::nn::Conv1D>> stack;
  std::vector<Tensor> params;
  for (int i = 0; i < kConvLayers; ++i) {
    stack.push_back(std::make_shared<ember::nn::Conv1D>(kConvChannels, out_channels, kConvKernel,
                                                        ember::nn::Conv1DOptions{.padding = 1}));
    for (const Tensor& p : stack.back()->parameters()) params.push_back(p);
  }
  const Tensor input = Tensor::randn({kConvBatch, kConvChannels, kConvLength});
  const auto step = [&] {
    for (Tensor p : params) p.zero_grad();
    run_stack(stack, input, glu).sum().backward();
  };
  const auto seconds = time_reps(args.warmup, args.reps, step);
  print_rate("ember", args, glu ? "w3glu" : "w3", "positions/s", seconds,
             double{kConvBatch} * kConvLength);
}

}  // namespace bench::ember_side
