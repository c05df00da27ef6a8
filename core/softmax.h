// Numerically stable softmax and log-softmax along one dim, the masked, scaled softmax of
// attention, and their backward kernels. One lane kernel is behind them all (and behind the fused
// cross-entropy losses, through exp_shifted_lane):
//   softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m),   m = max_j x_j
//   log_softmax(x)_i = x_i - m - log sum_j exp(x_j - m)
//   masked: softmax(x') with x'_i = -inf where mask_i != 0, else scale * x_i
#pragma once

#include "ember/core/ndarray.h"

namespace ember::core {

NDArray softmax(const NDArray& x, int64_t dim);
NDArray log_softmax(const NDArray& x, int64_t dim);

// In place along the last dim: x (N..., n) becomes softmax(x') as above; mask is 0/1
// broadcastable to x, or undefined (no element masked). A masked element gets exactly 0; a lane
// with every element masked becomes NaN, as in torch.
void masked_softmax_(const NDArray& x, const NDArray& mask, float scale);

// With y = softmax(scale * x) along dim (scale = 1 for softmax):
//   dx = scale * y * (dy - sum_j dy_j y_j)        (masked elements have y = 0, hence dx = 0)
NDArray softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim, float scale = 1.0f);
// With y = log_softmax(x):  dx = dy - exp(y) * sum_j dy_j
NDArray log_softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim);

// sum_j x[j * stride] for j < n, accumulated accurately (the reduction of every softmax lane).
double sum_lane(const float* x, int64_t n, int64_t stride);

// The shared step of every softmax lane, in place over n contiguous floats: x_j becomes
// e_j = exp(x_j - m), m = max_j x_j (0 when every x_j is -inf); returns m and sum_j e_j. Then
// softmax(x)_j = e_j / sum and log sum_j exp(x_j) = m + log(sum) (the fused losses use it so).
struct ExpSum {
  float max;
  double sum;
};
ExpSum exp_shifted_lane(float* x, int64_t n);
// log sum_j exp(x_j) of n contiguous floats, as exp_shifted_lane computes it, without writing
// the e_j (the log-softmax's shift: log_softmax(x)_j = x_j - log_sum_exp_lane(x, n)).
float log_sum_exp_lane(const float* x, int64_t n);

}  // namespace ember::core
