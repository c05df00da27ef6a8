// Reductions over chosen dims (empty dims = all, giving a scalar), with keepdim as in PyTorch.
#pragma once

#include "ember/autograd/tensor.h"

namespace ember {

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// Values of the maximum along dim; the gradient flows to the (first) argmax.
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);
// Where the maximum is (no gradient).
IndexArray argmax(const Tensor& x, int64_t dim, bool keepdim = false);

}  // namespace ember
