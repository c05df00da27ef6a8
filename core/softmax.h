// Numerically stable softmax and log-softmax along one dim, and their backward kernels.
//   softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m),   m = max_j x_j
//   log_softmax(x)_i = x_i - m - log sum_j exp(x_j - m)
#pragma once

#include "core/ndarray.h"

namespace ember::core {

NDArray softmax(const NDArray& x, int64_t dim);
NDArray log_softmax(const NDArray& x, int64_t dim);

// With y = softmax(x):      dx = y * (dy - sum_j dy_j y_j)
NDArray softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim);
// With y = log_softmax(x):  dx = dy - exp(y) * sum_j dy_j
NDArray log_softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim);

// sum_j x[j * stride] for j < n, accumulated accurately (the reduction of every softmax lane).
double sum_lane(const float* x, int64_t n, int64_t stride);
// log sum_j exp(x[j]) of n contiguous floats, shifted by their maximum (the log-softmax's shift:
// log_softmax(x)_j = x_j - log_sum_exp_lane(x, n)).
float log_sum_exp_lane(const float* x, int64_t n);

}  // namespace ember::core
