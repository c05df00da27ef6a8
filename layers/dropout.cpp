#include "ember/layers/dropout.h"

#include "ember/autograd/ops/nn.h"
#include "ember/core/error.h"

namespace ember::nn {

Dropout::Dropout(float p) : p_(p) {
  EMBER_CHECK(p >= 0.0f && p < 1.0f, "[dropout] probability {} outside [0, 1)", p);
}

Tensor Dropout::forward(const Tensor& x) const { return dropout(x, p_, is_training()); }

}  // namespace ember::nn
