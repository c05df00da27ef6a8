// The attention ops: the fused score of additive attention and the two halves of multi-head
// scaled dot-product attention, each with its backward. The masked softmax between scores and
// weights is masked_softmax (autograd/ops/nn.h). The modules of layers/attention.h (score
// functions of RNN encoder-decoders) and layers/multihead_attention.h compose these.
#pragma once

#include <cstdint>

#include "ember/autograd/tensor.h"

namespace ember {

// The additive score (Bahdanau et al., 2015, appendix A.1.2) of a query against each key row,
// fused:   qp: (B, A)  kp: (B, n, A)  v: (A)  ->  e: (B, n)
//   e[b, i] = sum_a v[a] tanh(kp[b, i, a] + qp[b, a])
//   with t = tanh(kp + qp):  dkp = de * v * (1 - t^2),  dqp = sum_i dkp,  dv = sum_{b,i} de * t
// No (B, n, A) array is made or kept: backward recomputes t from qp and kp (which the caller
// holds anyway), so a decoder calling this at every step does not keep one (B, n, A) per step.
// The kernels are core/additive_score.h.
Tensor additive_scores(const Tensor& qp, const Tensor& kp, const Tensor& v);

// The two halves of scaled dot-product attention over H heads (Vaswani et al., 2017, eq. 1), one
// op each, computed per (batch, head) by BLAS on strided views: head h is features
// [h*D, (h+1)*D), D = E/H, and q, k, v may be column slices of a packed projection (unit column
// stride, any row stride), never split or merged copies.
//   q: (B, T, E)  k: (B, S, E)  mask: 0/1 broadcastable to (B, H, T, S), or undefined
//   attention_probs -> P (B, H, T, S),  P_bh = softmax(scale * Q_bh K_bh^T), -inf where mask
//     dS = scale * P * (dP - rowsum(dP * P));  dQ_bh = dS K_bh;  dK_bh = dS^T Q_bh
//   attend_values(P, v (B, S, E)) -> O (B, T, E),  O_bh = P_bh V_bh (head h's columns)
//     dP_bh = dO_bh V_bh^T;  dV_bh = P_bh^T dO_bh
Tensor attention_probs(const Tensor& q, const Tensor& k, int64_t num_heads, const NDArray& mask,
                       float scale);
Tensor attend_values(const Tensor& probs, const Tensor& v);

}  // namespace ember
