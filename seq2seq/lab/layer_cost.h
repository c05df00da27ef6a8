// The cost side of the comparison (`ember cost`): time and memory of one layer's forward and
// backward against the sequence length n, for the three ways of mixing positions that the lab
// compares, at equal width d (batch B):
//
//   layer            per-layer FLOPs (forward)   sequential operations   maximum path length
//   recurrent (LSTM) 16 B n d^2                  O(n)                    O(n)
//   convolution      2 k B n d^2                 O(1)                    O(n / k)
//   self-attention   8 B n d^2 + 4 B n^2 d       O(1)                    O(1)
//
// which is Table 1 of Vaswani et al. 2017 ("Attention is all you need": O(n d^2), O(k n d^2) and
// O(n^2 d) per layer) with the constants of ember's layers. The LSTM does four gate products of
// its input and four of its state (8 d^2 multiply-adds per position); the convolution k d^2; the
// attention its four projections (4 d^2) and then n d for the scores and n d for the weighted sum.
// Backward computes the input and the weight gradient of every product: 3 times the forward.
// The path length is the number of layer steps between two positions n apart: O(n / k) for a
// stack of contiguous kernels (O(log_k n) only with dilations).
//
//   LayerCostOptions options;                        // d 256, B 8, n 16..1024
//   std::vector<LayerCostPoint> points = measure_layer_cost(options);
//   std::vector<Crossover> where = crossovers(points);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ember/seq2seq/enum_names.h"

namespace ember::seq2seq::lab {

enum class MixingLayer { kRecurrent, kConvolution, kSelfAttention };

// "lstm", "conv", "attention": the names of the command line and the report.
const EnumNames<MixingLayer>& mixing_layer_names();
inline const char* mixing_layer_name(MixingLayer layer) { return mixing_layer_names().name(layer); }

struct LayerCostOptions {
  std::vector<MixingLayer> layers = {MixingLayer::kRecurrent, MixingLayer::kConvolution,
                                     MixingLayer::kSelfAttention};
  std::vector<int64_t> lengths = {16, 32, 64, 128, 256, 512, 1024};  // n, increasing
  int64_t width = 256;     // d: the LSTM's input and hidden size, channels, embedding size
  int64_t batch = 8;       // B
  int64_t heads = 4;       // self-attention heads (d must be a multiple)
  int64_t kernel = 3;      // k, the convolution's width (odd, >= 3: "same" padding)
  int64_t repeats = 5;     // timed forward + backward passes per point (the median is reported)
  int64_t warmup = 1;      // untimed passes before them
  uint64_t seed = 1;
};

// Throws "[cost]" naming the option for no layers or lengths, a length < 1 or not increasing, a
// width, batch, head count, kernel, repeats or warmup out of range, or d not divisible by heads.
void validate(const LayerCostOptions& options);

// Forward FLOPs of one layer on B sequences of n positions (the table above; 2 per multiply-add).
double forward_flops(MixingLayer layer, int64_t n, const LayerCostOptions& options);
// The length at which two layers' forward FLOPs are equal (attention's n^2 d term against the
// others' n d^2: n = 2d against the LSTM), or nullopt when one costs more at every length.
std::optional<double> flops_crossover(MixingLayer a, MixingLayer b,
                                      const LayerCostOptions& options);
// Table 1's other two columns for this layer and length: the operations that must run one after
// another, and the layer steps a signal takes between the first and the last of n positions
// (n - 1 for the recurrence, ceil((n - 1) / ((k - 1) / 2)) for a stack of convolutions, 1 for
// attention; 0 when n is 1).
int64_t sequential_operations(MixingLayer layer, int64_t n);
int64_t maximum_path_length(MixingLayer layer, int64_t n, int64_t kernel);

struct LayerCostPoint {
  MixingLayer layer = MixingLayer::kRecurrent;
  int64_t length = 0;
  double median_seconds = 0.0;  // one forward + backward of the batch
  double min_seconds = 0.0;
  double flops = 0.0;           // forward + backward: 3 x forward_flops
  double gflops_per_second = 0.0;  // flops / median_seconds
  // The most memory the pass held beyond what was live before it (inputs and parameters): the
  // activations saved for backward, the outputs and the gradients (allocator peak, size classes).
  int64_t peak_bytes = 0;
};

// Builds each layer once (parameters from `seed`), then for each length times forward + backward
// of sum(output) on a random (B, n, d) input that requires grad, the layers taking turns pass by
// pass. `progress` (optional) receives each point as it is measured (by length, then layer).
// Runs in training mode, no dropout.
std::vector<LayerCostPoint> measure_layer_cost(
    const LayerCostOptions& options,
    const std::function<void(const LayerCostPoint&)>& progress = {});

// The machine's sgemm rate in GFLOP/s, the roofline the layers' rates are read against: the median
// of `repeats` n x n by n x n products through ember's matmul (2 n^3 FLOPs each) after three
// untimed ones, at the thread count in force. The cost command measures it before and after the
// layers, in the same run.
double measure_sgemm_gflops(int64_t n = 1024, int64_t repeats = 9);

// Where one layer stops being cheaper than another: the first measured length at which `slower`
// (cheaper before) takes longer than `faster`, interpolated between the two lengths on log scales
// (time is close to a power of n on each side).
struct Crossover {
  MixingLayer cheaper_below = MixingLayer::kRecurrent;  // cheaper at short lengths
  MixingLayer cheaper_above = MixingLayer::kRecurrent;  // cheaper at long lengths
  double length = 0.0;
};
// Every pair of measured layers whose order by median time changes once or more along the
// lengths; the first change of each pair.
std::vector<Crossover> crossovers(const std::vector<LayerCostPoint>& points);

}  // namespace ember::seq2seq::lab
