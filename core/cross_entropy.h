// The row kernels of the fused cross-entropy losses (autograd/ops/loss.cpp): one row x of C logits
// with target t, label smoothing eps and lse = log sum_c exp(x_c), p = softmax(x), w the row's
// weight in the loss:
//   loss = (1 - eps) (lse - x_t) + eps (lse - mean_c x_c)
//          (the smoothing term -sum_c eps/C log p_c is eps (lse - mean x))
//   dx_c = w (p_c - eps/C) - w (1 - eps) [c = t]
#pragma once

#include <cstdint>

namespace ember::core {

double cross_entropy_row_loss(const float* x, int64_t classes, int64_t t, float lse, float eps);

// Writes dx to d (which may be x).
void cross_entropy_row_gradient(const float* x, int64_t classes, int64_t t, float lse, float eps,
                                float w, float* d);

// Both at once, the gradient written over x: the sum of x, then the softmax kernel's shared step
// (exp_shifted_lane) writing e_c = exp(x_c - max) over x, then one pass turning e into the
// gradient w (e_c / sum_e - eps/C) - w (1 - eps) [c = t]; one exp per logit, not two. Returns the
// loss.
double cross_entropy_row_loss_and_gradient(float* x, int64_t classes, int64_t t, float eps,
                                           float w);

}  // namespace ember::core
