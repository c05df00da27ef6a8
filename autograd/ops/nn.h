// The fused ops of neural networks: softmax, normalisation, dropout and the losses.
#pragma once

#include "ember/autograd/tensor.h"
#include "ember/core/random.h"

namespace ember {

Tensor softmax(const Tensor& x, int64_t dim);      // dx = y * (dy - sum(dy * y))
Tensor log_softmax(const Tensor& x, int64_t dim);  // dx = dy - softmax(x) * sum(dy)

// Masked softmax, fused (the weights of attention): y = softmax(scale * x) along the last dim,
// with x = -inf where mask != 0.
//   x: (N..., n)  mask: 0/1 broadcastable to x, or undefined  ->  y: (N..., n)
//   dx = scale * y * (dy - sum_j dy_j y_j)   (masked elements have y = 0, hence dx = 0)
// A masked element gets weight exactly 0 and no gradient; a row with every element masked gives
// NaN, as in torch.
Tensor masked_softmax(const Tensor& x, const NDArray& mask, float scale = 1.0f);

// Layer normalisation over the last dim (formula and gradient in core/layer_norm.h).
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps = 1e-5f);

// Inverted dropout: in training each element is zeroed with probability p and the rest scaled by
// 1/(1-p), so evaluation (the identity) needs no rescaling. dx = dy * mask / (1-p), the mask
// drawn again in backward from the generator state of the forward (nothing kept in between).
Tensor dropout(const Tensor& x, float p, bool training,
               core::Generator& generator = core::default_generator());

enum class Reduction { kMean, kSum, kNone };

struct CrossEntropyOptions {
  int64_t ignore_index = -100;  // targets equal to it add nothing and are not counted
  float label_smoothing = 0.0f;
  Reduction reduction = Reduction::kMean;
};

// Cross-entropy from logits, fused and stable. logits (N..., C), target (N...) in [0, C).
// With logp = log_softmax(logits), eps = label_smoothing, over rows i whose target is not ignored:
//   loss_i = (1 - eps) * -logp[i, t_i] + eps * -(1/C) sum_c logp[i, c]
//   mean: sum_i loss_i / #rows;  sum: sum_i loss_i;  none: loss_i per row (0 where ignored)
//   dlogits_i = softmax(logits_i) - (1 - eps) * onehot(t_i) - eps / C, times the row's weight
Tensor cross_entropy(const Tensor& logits, const IndexArray& target,
                     const CrossEntropyOptions& options = {});

// cross_entropy(linear(input, weight, bias), target, options) without ever holding the (N, C)
// logits: input (N..., D), weight (C, D), bias (C) or undefined. Rows go through in chunks whose
// logits become their gradient at once, so forward also computes d/d(input, weight, bias) for an
// upstream gradient of 1 (when grad mode is on and they require it) and backward only scales
// them. For the output layer of a large vocabulary: the logits are the biggest array of a
// training step. Reduction::kNone has one upstream gradient per row: it runs the two ops.
Tensor linear_cross_entropy(const Tensor& input, const Tensor& weight, const Tensor& bias,
                            const IndexArray& target, const CrossEntropyOptions& options = {});

// Negative log-likelihood of log-probabilities logp (N..., C): the formula above with eps = 0
// and logp in place of log_softmax(logits). dlogp_i = -onehot(t_i) times the row's weight.
Tensor nll_loss(const Tensor& logp, const IndexArray& target, int64_t ignore_index = -100,
                Reduction reduction = Reduction::kMean);

}  // namespace ember
