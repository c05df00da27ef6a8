#include "ember/layers/layer_norm.h"

#include "ember/autograd/ops/nn.h"
#include "ember/core/error.h"

namespace ember::nn {

LayerNorm::LayerNorm(int64_t d, float eps) : d_(d), eps_(eps) {
  EMBER_CHECK(d > 0, "[layer_norm] normalized size must be positive, got {}", d);
  EMBER_CHECK(eps > 0.0f, "[layer_norm] eps must be positive, got {}", eps);
  weight_ = register_parameter("weight", Tensor::ones({d}));
  bias_ = register_parameter("bias", Tensor::zeros({d}));
}

Tensor LayerNorm::forward(const Tensor& x) const {
  EMBER_CHECK(x.dim() >= 1 && x.size(-1) == d_,
              "[layer_norm] input {} must end in the normalized size {} (weight {})",
              core::shape_str(x.shape()), d_, core::shape_str(weight_.shape()));
  return layer_norm(x, weight_, bias_, eps_);
}

}  // namespace ember::nn
