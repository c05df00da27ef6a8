#include "ember/seq2seq/lab/layer_cost.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/linear_algebra.h"
#include "ember/core/allocator.h"
#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/layers/conv1d.h"
#include "ember/layers/multihead_attention.h"
#include "ember/layers/rnn.h"

namespace ember::seq2seq::lab {

const EnumNames<MixingLayer>& mixing_layer_names() {
  static const EnumNames<MixingLayer> names{"[cost]",
                                            "layer",
                                            {{"lstm", MixingLayer::kRecurrent},
                                             {"conv", MixingLayer::kConvolution},
                                             {"attention", MixingLayer::kSelfAttention}}};
  return names;
}

void validate(const LayerCostOptions& o) {
  EMBER_CHECK(!o.layers.empty(), "[cost] no layers to measure");
  EMBER_CHECK(!o.lengths.empty(), "[cost] no lengths to measure");
  for (size_t i = 0; i < o.lengths.size(); ++i) {
    EMBER_CHECK(o.lengths[i] >= 1 && o.lengths[i] <= 65536,
                "[cost] lengths must be in [1, 65536], got {}", o.lengths[i]);
    EMBER_CHECK(i == 0 || o.lengths[i] > o.lengths[i - 1],
                "[cost] lengths must increase, got {} after {}", o.lengths[i], o.lengths[i - 1]);
  }
  EMBER_CHECK(o.width >= 1 && o.width <= 8192, "[cost] width must be in [1, 8192], got {}",
              o.width);
  EMBER_CHECK(o.batch >= 1 && o.batch <= 4096, "[cost] batch must be in [1, 4096], got {}",
              o.batch);
  EMBER_CHECK(o.heads >= 1 && o.width % o.heads == 0,
              "[cost] heads must be >= 1 and divide the width {}, got {}", o.width, o.heads);
  EMBER_CHECK(o.kernel >= 3 && o.kernel <= 63 && o.kernel % 2 == 1,
              "[cost] kernel must be odd and in [3, 63], got {}", o.kernel);
  EMBER_CHECK(o.repeats >= 1 && o.repeats <= 1000, "[cost] repeats must be in [1, 1000], got {}",
              o.repeats);
  EMBER_CHECK(o.warmup >= 0 && o.warmup <= 1000, "[cost] warmup must be in [0, 1000], got {}",
              o.warmup);
}

namespace {

// forward_flops = linear * n + quadratic * n^2.
struct FlopTerms {
  double linear = 0.0;
  double quadratic = 0.0;
};

FlopTerms flop_terms(MixingLayer layer, const LayerCostOptions& o) {
  const double b = static_cast<double>(o.batch);
  const double d = static_cast<double>(o.width);
  switch (layer) {
    case MixingLayer::kRecurrent: return {16.0 * b * d * d, 0.0};
    case MixingLayer::kConvolution: return {2.0 * static_cast<double>(o.kernel) * b * d * d, 0.0};
    case MixingLayer::kSelfAttention: return {8.0 * b * d * d, 4.0 * b * d};
  }
  return {};
}

}  // namespace

double forward_flops(MixingLayer layer, int64_t n, const LayerCostOptions& o) {
  const FlopTerms t = flop_terms(layer, o);
  const double len = static_cast<double>(n);
  return t.linear * len + t.quadratic * len * len;
}

std::optional<double> flops_crossover(MixingLayer a, MixingLayer b, const LayerCostOptions& o) {
  const FlopTerms ta = flop_terms(a, o), tb = flop_terms(b, o);
  // linear_a n + quadratic_a n^2 = linear_b n + quadratic_b n^2, n > 0.
  const double dq = ta.quadratic - tb.quadratic;
  if (dq == 0.0) return std::nullopt;
  const double n = (tb.linear - ta.linear) / dq;
  if (n <= 0.0) return std::nullopt;
  return n;
}

int64_t sequential_operations(MixingLayer layer, int64_t n) {
  return layer == MixingLayer::kRecurrent ? n : 1;
}

int64_t maximum_path_length(MixingLayer layer, int64_t n, int64_t kernel) {
  if (n <= 1) return 0;
  switch (layer) {
    case MixingLayer::kRecurrent: return n - 1;
    // Each layer of a stack reaches r = (k - 1) / 2 positions further to each side.
    case MixingLayer::kConvolution: {
      const int64_t r = (kernel - 1) / 2;
      return (n - 1 + r - 1) / r;
    }
    case MixingLayer::kSelfAttention: return 1;
  }
  return 0;
}

namespace {

using Clock = std::chrono::steady_clock;

// One layer behind a common call: x (B, n, d) -> an output whose sum is backpropagated.
class MixingModule {
 public:
  MixingModule(MixingLayer layer, const LayerCostOptions& o) : layer_(layer) {
    switch (layer) {
      case MixingLayer::kRecurrent:
        lstm_ = std::make_unique<nn::LSTM>(
            nn::RecurrentOptions{.input_size = o.width, .hidden_size = o.width});
        break;
      case MixingLayer::kConvolution:
        conv_ = std::make_unique<nn::Conv1D>(o.width, o.width, o.kernel,
                                             nn::Conv1DOptions{.padding = (o.kernel - 1) / 2});
        break;
      case MixingLayer::kSelfAttention:
        attention_ = std::make_unique<nn::MultiheadAttention>(o.width, o.heads);
        break;
    }
  }

  // The input in the layer's own layout: (B, n, d), or (B, d, n) for the convolution.
  Tensor input(int64_t n, const LayerCostOptions& o) const {
    const Shape shape = layer_ == MixingLayer::kConvolution ? Shape{o.batch, o.width, n}
                                                            : Shape{o.batch, n, o.width};
    return Tensor::randn(shape, /*requires_grad=*/true);
  }

  Tensor forward(const Tensor& x) const {
    switch (layer_) {
      case MixingLayer::kRecurrent: return lstm_->forward(x).output;
      case MixingLayer::kConvolution: return conv_->forward(x);
      case MixingLayer::kSelfAttention: {
        nn::MultiheadAttentionArgs args;
        args.need_weights = false;  // the head-averaged weights are not part of the layer's work
        return attention_->forward(x, x, x, args).output;
      }
    }
    return {};
  }

  nn::Module& module() {
    if (lstm_) return *lstm_;
    if (conv_) return *conv_;
    return *attention_;
  }

 private:
  MixingLayer layer_;
  std::unique_ptr<nn::LSTM> lstm_;
  std::unique_ptr<nn::Conv1D> conv_;
  std::unique_ptr<nn::MultiheadAttention> attention_;
};

// One forward + backward of sum(m(x)) from released gradients (so each pass allocates its
// gradients afresh and starts from the same live bytes): its seconds, and in *peak the most bytes
// it held beyond those live before it.
double timed_pass(MixingModule& m, Tensor& x, int64_t* peak) {
  m.module().zero_grad();
  x.zero_grad();
  const size_t live_before = core::allocator_stats().live_bytes;
  core::reset_peak_live_bytes();
  const Clock::time_point start = Clock::now();
  m.forward(x).sum().backward();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  *peak = std::max(*peak,
                   static_cast<int64_t>(core::allocator_stats().peak_live_bytes - live_before));
  return seconds;
}

}  // namespace

std::vector<LayerCostPoint> measure_layer_cost(
    const LayerCostOptions& options, const std::function<void(const LayerCostPoint&)>& progress) {
  validate(options);
  core::manual_seed(options.seed);
  std::vector<MixingModule> modules;
  for (MixingLayer layer : options.layers) modules.emplace_back(layer, options);
  std::vector<LayerCostPoint> points;
  for (int64_t n : options.lengths) {
    std::vector<Tensor> inputs;
    for (const MixingModule& m : modules) inputs.push_back(m.input(n, options));
    std::vector<std::vector<double>> seconds(modules.size());
    std::vector<int64_t> peaks(modules.size(), 0);
    // The layers take turns pass by pass, so that a change in the machine's load (these machines
    // are shared) falls on all of them alike rather than on whichever ran at that time.
    for (int64_t i = 0; i < options.warmup + options.repeats; ++i) {
      for (size_t k = 0; k < modules.size(); ++k) {
        const double s = timed_pass(modules[k], inputs[k], &peaks[k]);
        if (i >= options.warmup) seconds[k].push_back(s);
      }
    }
    for (size_t k = 0; k < modules.size(); ++k) {
      std::sort(seconds[k].begin(), seconds[k].end());
      LayerCostPoint p;
      p.layer = options.layers[k];
      p.length = n;
      p.median_seconds = seconds[k][seconds[k].size() / 2];
      p.min_seconds = seconds[k].front();
      p.flops = 3.0 * forward_flops(p.layer, n, options);
      p.gflops_per_second = p.flops / p.median_seconds * 1e-9;
      p.peak_bytes = peaks[k];
      points.push_back(p);
      if (progress) progress(p);
    }
  }
  return points;
}

double measure_sgemm_gflops(int64_t n, int64_t repeats) {
  EMBER_CHECK(n >= 1 && repeats >= 1, "[cost] sgemm size and repeats must be >= 1, got {} and {}",
              n, repeats);
  NoGradGuard no_grad;
  const Tensor a = Tensor::randn({n, n}), b = Tensor::randn({n, n});
  // Warm-up: the allocator's blocks, the library's buffers (and JIT kernels), the clock speed.
  for (int i = 0; i < 3; ++i) matmul(a, b);
  std::vector<double> seconds;
  for (int64_t i = 0; i < repeats; ++i) {
    const Clock::time_point start = Clock::now();
    matmul(a, b);
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  return flops / seconds[seconds.size() / 2] * 1e-9;
}

std::vector<Crossover> crossovers(const std::vector<LayerCostPoint>& points) {
  std::vector<MixingLayer> layers;
  for (const LayerCostPoint& p : points) {
    if (std::find(layers.begin(), layers.end(), p.layer) == layers.end()) layers.push_back(p.layer);
  }
  const auto time_at = [&](MixingLayer layer, int64_t n) -> double {
    for (const LayerCostPoint& p : points) {
      if (p.layer == layer && p.length == n) return p.median_seconds;
    }
    return -1.0;
  };
  std::vector<Crossover> out;
  for (size_t i = 0; i < layers.size(); ++i) {
    for (size_t j = i + 1; j < layers.size(); ++j) {
      // The lengths both layers were measured at, in order.
      std::vector<int64_t> lengths;
      for (const LayerCostPoint& p : points) {
        if (p.layer == layers[i] && time_at(layers[j], p.length) > 0.0) lengths.push_back(p.length);
      }
      for (size_t k = 1; k < lengths.size(); ++k) {
        // log(t_i / t_j) at both ends; a change of sign is a crossover.
        const double before = std::log(time_at(layers[i], lengths[k - 1]) /
                                       time_at(layers[j], lengths[k - 1]));
        const double after =
            std::log(time_at(layers[i], lengths[k]) / time_at(layers[j], lengths[k]));
        if ((before < 0.0) == (after < 0.0)) continue;
        // Linear in log n between the two lengths: the zero of the log time ratio.
        const double w = before / (before - after);
        const double log_n = std::log(static_cast<double>(lengths[k - 1])) +
                             w * std::log(static_cast<double>(lengths[k]) /
                                          static_cast<double>(lengths[k - 1]));
        const bool i_first = before < 0.0;
        out.push_back({.cheaper_below = i_first ? layers[i] : layers[j],
                       .cheaper_above = i_first ? layers[j] : layers[i],
                       .length = std::exp(log_n)});
        break;
      }
    }
  }
  return out;
}

}  // namespace ember::seq2seq::lab
