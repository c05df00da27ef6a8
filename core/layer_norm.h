// Layer normalisation over the last dim (Ba et al., 2016), fused forward and backward kernels.
//   x: (N..., D)  weight, bias: (D)
//   mu = mean(x), var = mean((x - mu)^2) (biased), xhat = (x - mu) * rstd, rstd = 1/sqrt(var + eps)
//   y = xhat * weight + bias
#pragma once

#include "ember/core/ndarray.h"

namespace ember::core {

struct LayerNormResult {
  NDArray y;
  NDArray mean;  // (rows)
  NDArray rstd;  // (rows)
};
LayerNormResult layer_norm(const NDArray& x, const NDArray& weight, const NDArray& bias, float eps);

// dxhat = dy * weight
// dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dweight = sum dy * xhat,
// dbias = sum dy (sums over every row).
struct LayerNormGrads {
  NDArray dx, dweight, dbias;
};
LayerNormGrads layer_norm_backward(const NDArray& dy, const NDArray& x, const NDArray& weight,
                                   const NDArray& mean, const NDArray& rstd);

}  // namespace ember::core
