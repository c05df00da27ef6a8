// LayerNorm (torch.nn.LayerNorm over the last dim; Ba et al., 2016):
//   x: (N..., D)  weight, bias: (D)  ->  y: (N..., D)
//   y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias, var biased (divided by D)
// weight starts at ones and bias at zeros, as in torch. One fused kernel each way.
#pragma once

#include <cstdint>

#include "ember/layers/module.h"

namespace ember::nn {

class LayerNorm : public Module {
 public:
  // Parameters "weight" (d) and "bias" (d).
  explicit LayerNorm(int64_t d, float eps = 1e-5f);

  // x's last dim must be d ("[layer_norm]" error otherwise).
  Tensor forward(const Tensor& x) const;

  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }
  float eps() const { return eps_; }
  std::string extra_repr() const override {  // torch's, with its always-true elementwise_affine
    return fmt::format("({},), eps={}, elementwise_affine=True", d_, python_repr(eps_));
  }

 private:
  int64_t d_;
  float eps_;
  Tensor weight_, bias_;
};

}  // namespace ember::nn
