// Elementwise nonlinearities and functions, each with its derivative beside it.
#pragma once

#include "ember/autograd/tensor.h"

namespace ember {

Tensor relu(const Tensor& x);     // dx = dy * [x > 0]
Tensor gelu(const Tensor& x);     // exact erf form; dx = dy * (Phi(x) + x * phi(x))
Tensor tanh(const Tensor& x);     // dx = dy * (1 - y^2)
Tensor sigmoid(const Tensor& x);  // dx = dy * y * (1 - y)
Tensor exp(const Tensor& x);      // dx = dy * y
Tensor log(const Tensor& x);      // dx = dy / x
Tensor sqrt(const Tensor& x);     // dx = dy / (2 y)
// Gated linear unit (Dauphin et al., 2017): x split in halves a, b along dim; y = a * sigmoid(b).
// da = dy * sigmoid(b), db = dy * a * sigmoid(b) * (1 - sigmoid(b)).
Tensor glu(const Tensor& x, int64_t dim = -1);

}  // namespace ember
