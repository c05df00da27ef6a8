// Linear (torch.nn.Linear): y = x @ weight^T + bias.
//   x: (N..., I)  weight: (O, I)  bias: (O)  ->  y: (N..., O)
// Initialised as torch does: weight kaiming_uniform_(a = sqrt 5), i.e. U(-1/sqrt(I), 1/sqrt(I)),
// and bias U(-1/sqrt(I), 1/sqrt(I)) (layers/init.h).
#pragma once

#include <cstdint>

#include "ember/layers/module.h"
#include "ember/layers/quantized_linear.h"

namespace ember::nn {

class Linear : public Module {
 public:
  // Parameters "weight" (out_features, in_features) and, when bias is true, "bias" (out_features).
  Linear(int64_t in_features, int64_t out_features, bool bias = true);

  Tensor forward(const Tensor& x) const;  // one GEMM (ember::linear), int8 once quantized
  void quantize_int8() override;           // Module::quantize_int8

  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined without bias
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  std::string extra_repr() const override {
    return fmt::format("in_features={}, out_features={}, bias={}", in_features_, out_features_,
                       python_repr(bias_.defined()));
  }

 private:
  int64_t in_features_, out_features_;
  Tensor weight_, bias_;
  Int8Weight int8_;  // null until quantize_int8()
};

}  // namespace ember::nn
