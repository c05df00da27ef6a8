// 1-D convolution (cross-correlation, no kernel flip, as torch.nn.functional.conv1d), lowered to
// one GEMM with im2col (the Caffe lowering; Chellapilla et al., 2006).
//   x: (B, C, L)  weight: (O, C, K)  bias: (O) or undefined  ->  y: (B, O, L_out)
//   L_out = floor((L + pad_left + pad_right - d (K - 1) - 1) / s) + 1
//   y[b, o, l] = bias[o] + sum_{c,k} weight[o, c, k] * xpad[b, c, l s + k d]
// where xpad is x with pad_left zeros before and pad_right after (s stride, d dilation).
//
// Forward: cols (B L_out, C K), cols[(b, l), (c, k)] = xpad[b, c, l s + k d], then
//   y_rows = cols @ W^T with W the weight viewed (O, C K)      (one GEMM)
// Backward, with dy_rows (B L_out, O):
//   dW = dy_rows^T @ cols          dcols = dy_rows @ W          db = sum_{b,l} dy
//   dx = col2im(dcols): dx[b, c, l s + k d - pad_left] += dcols[(b, l), (c, k)]
#pragma once

#include <cstdint>

#include "ember/autograd/tensor.h"

namespace ember {

struct Conv1dGeometry {
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t pad_left = 0;   // torch's padding p is pad_left = pad_right = p;
  int64_t pad_right = 0;  // causal convolution is pad_left = d (K - 1), pad_right = 0
};

// Throws "[conv1d]" with every shape when x, weight and bias do not fit or L_out < 1.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              const Conv1dGeometry& geometry = {});

// The direct sum of the formula above (tests compare conv1d with it).
NDArray conv1d_naive(const NDArray& x, const NDArray& weight, const NDArray& bias,
                     const Conv1dGeometry& geometry = {});

}  // namespace ember
