// Conv1D (torch.nn.Conv1d with groups = 1 and zero padding), through the im2col + one-GEMM op in
// autograd/ops/conv.h.
//   x: (B, C_in, L)  weight: (C_out, C_in, K)  bias: (C_out)  ->  y: (B, C_out, L_out)
//   L_out = floor((L + 2 p - d (K - 1) - 1) / s) + 1
//   y[b, o, l] = bias[o] + sum_{c,k} weight[o, c, k] * xpad[b, c, l s + k d]   (no kernel flip)
// Causal mode (for decoders, as in WaveNet, van den Oord et al., 2016): x gets d (K - 1) zeros on
// the left only, so y[.., l] sees x[.., <= l] and, with stride 1, L_out = L.
// Initialised as torch does: weight kaiming_uniform_(a = sqrt 5), i.e. U(-1/sqrt(C_in K),
// 1/sqrt(C_in K)), and bias U(-1/sqrt(C_in K), 1/sqrt(C_in K)).
#pragma once

#include <cstdint>

#include "ember/autograd/ops/conv.h"
#include "ember/layers/module.h"

namespace ember::nn {

struct Conv1DOptions {
  int64_t stride = 1;
  int64_t padding = 0;  // zeros on both ends; must be 0 when causal
  int64_t dilation = 1;
  bool bias = true;
  bool causal = false;  // left padding d (K - 1) only
};

class Conv1D : public Module {
 public:
  // Parameters "weight" (out_channels, in_channels, kernel_size) and "bias" (out_channels).
  Conv1D(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
         const Conv1DOptions& options = {});

  Tensor forward(const Tensor& x) const;

  // L_out for an input of length L ("[conv1d]" error when it would be < 1).
  int64_t output_length(int64_t length) const;

  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined without bias
  const Conv1DOptions& options() const { return options_; }
  std::string extra_repr() const override;  // torch's Conv1d's, and causal=True when causal

 private:
  Conv1DOptions options_;
  Conv1dGeometry geometry_;
  Tensor weight_, bias_;
};

}  // namespace ember::nn
