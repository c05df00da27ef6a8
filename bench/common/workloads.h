// The benchmark workloads of issue 5 and docs/performance.md: the hyper-parameters both sides
// (ember-bench and bench-libtorch) must use, each workload's default warm-up and repetitions, and
// the FLOP counts of the two training steps. Plain C++: no ember or torch include.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace bench {

inline constexpr std::uint64_t kSeed = 1234;

// W1 Transformer and W4 decoding. Data: source ids (B, S), target ids (B, T + 1), uniform in
// [0, V); the decoder reads the first T target ids and predicts the last T.
inline constexpr int kBatch = 64;    // B
inline constexpr int kSrcLen = 24;   // S
inline constexpr int kTgtLen = 24;   // T
inline constexpr int kVocab = 8000;  // V, source and target
inline constexpr int kModel = 256;   // E
inline constexpr int kHeads = 4;     // H
inline constexpr int kFeedForward = 1024;
inline constexpr int kLayers = 3;  // per stack
inline constexpr double kDropout = 0.1;
inline constexpr double kLabelSmoothing = 0.1;
inline constexpr double kLearningRate = 1e-4;  // Adam, betas (0.9, 0.999), eps 1e-8

// W2 LSTM with additive attention.
inline constexpr int kEmbed = 256;
inline constexpr int kEncHidden = 256;  // per direction; encoder outputs are 2 * 256 wide
inline constexpr int kDecHidden = 512;
inline constexpr int kAttnDim = 256;

// W3 convolution stack: input (B, C, L) = (64, 256, 64).
inline constexpr int kConvBatch = 64;
inline constexpr int kConvChannels = 256;
inline constexpr int kConvLength = 64;
inline constexpr int kConvKernel = 3;
inline constexpr int kConvLayers = 6;

// W4 greedy decoding: every sequence starts with kBos and generates exactly kDecodeSteps tokens
// (no end-of-sequence stop, so both sides do the same work).
inline constexpr int kDecodeSteps = 32;
inline constexpr int kBos = 1;

// W5 autograd overhead: kChainOps ops alternating y + kChainAdd and y * kChainMul.
inline constexpr int kChainOps = 10000;
inline constexpr double kChainAdd = 1e-3;
inline constexpr double kChainMul = 0.999;

// W6 sgemm sizes (n x n times n x n).
inline constexpr std::array<int, 4> kGemmSizes = {256, 512, 1024, 2048};

struct WorkloadInfo {
  std::string_view name;
  int warmup;  // untimed runs
  int reps;    // timed runs
};

// Every workload name, in the order the driver runs them, with defaults sized so that a full run
// of both sides fits in about ten minutes on two cores.
std::span<const WorkloadInfo> all_workloads();
// nullptr when `name` is not a workload.
const WorkloadInfo* find_workload(std::string_view name);

// Matrix-product FLOPs of one training step (forward + backward = 3 x forward); see
// docs/performance.md for the derivation.
double w1_flops_per_step();
double w2_flops_per_step();

// W6: how many products one timed repetition runs for size n (about 4 GFLOP, at least one).
int gemm_inner_iterations(int n);

}  // namespace bench
