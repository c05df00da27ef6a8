// The additive attention score (Bahdanau et al., 2015, appendix A.1.2), fused forward and
// backward kernels on contiguous arrays, with no (B, n, A) temporary:
//   q: (B, A)  k: (B, n, A)  v: (A)  ->  e: (B, n)
//   e[b, i] = sum_a v[a] tanh(k[b, i, a] + q[b, a])
//   with t = tanh(k + q):  dk = de * v * (1 - t^2),  dq = sum_i dk,  dv = sum_{b,i} de * t
// Backward recomputes t from q and k (d tanh(u) = 1 - tanh(u)^2) rather than keeping it.
#pragma once

#include "ember/core/ndarray.h"

namespace ember::core {

NDArray additive_scores(const NDArray& q, const NDArray& k, const NDArray& v);

struct AdditiveScoreGrads {
  NDArray dq, dk, dv;
};
AdditiveScoreGrads additive_scores_backward(const NDArray& de, const NDArray& q, const NDArray& k,
                                            const NDArray& v);

}  // namespace ember::core
