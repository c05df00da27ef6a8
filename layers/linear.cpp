#include "ember/layers/linear.h"

#include <cmath>

#include "ember/autograd/ops/linear_algebra.h"
#include "ember/core/error.h"
#include "ember/layers/init.h"

namespace ember::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias)
    : in_features_(in_features), out_features_(out_features) {
  EMBER_CHECK(in_features > 0 && out_features > 0,
              "[linear] in_features and out_features must be positive, got ({}, {})", in_features,
              out_features);
  weight_ = register_parameter("weight", Tensor::zeros({out_features, in_features}));
  init::kaiming_uniform_(weight_, std::sqrt(5.0f));
  if (bias) {
    bias_ = register_parameter("bias", Tensor::zeros({out_features}));
    init::uniform_(bias_, init::bias_bound(in_features));
  }
}

Tensor Linear::forward(const Tensor& x) const {
  if (int8_) return quantized_linear(x, *int8_, 0, out_features_, bias_, "linear");
  return linear(x, weight_, bias_);
}

void Linear::quantize_int8() { int8_ = quantize_weight(weight_, "linear"); }

}  // namespace ember::nn
