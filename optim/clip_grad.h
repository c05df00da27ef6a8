// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. Both work on the
// gradients of `params` in place and skip parameters that have no gradient.
#pragma once

#include <limits>
#include <vector>

#include "ember/autograd/tensor.h"

namespace ember::optim {

inline constexpr float kInfNorm = std::numeric_limits<float>::infinity();

// The total p-norm of all gradients as if they were one vector,
//   total = (sum over tensors i and elements j of |g_ij|^p)^(1/p)     (p = inf: max |g_ij|),
// then coef = max_norm / (total + 1e-6), and if coef < 1 every gradient is multiplied by coef
// (Pascanu et al., 2013). Returns total, the norm BEFORE clipping, as torch does. A non-finite
// total throws when error_if_nonfinite; otherwise, as in torch, an infinite total scales by 0
// and a NaN total by NaN.
// Sums run in double over fixed chunks, so the result does not depend on the thread count.
float clip_grad_norm(const std::vector<Tensor>& params, float max_norm, float norm_type = 2.0f,
                     bool error_if_nonfinite = false);

// Clamps every gradient element to [-clip_value, clip_value].
void clip_grad_value(const std::vector<Tensor>& params, float clip_value);

}  // namespace ember::optim
