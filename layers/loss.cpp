#include "ember/layers/loss.h"

#include "ember/core/error.h"

namespace ember::nn {

CrossEntropyLoss::CrossEntropyLoss(const CrossEntropyOptions& options) : options_(options) {
  EMBER_CHECK(options.label_smoothing >= 0.0f && options.label_smoothing <= 1.0f,
              "[cross_entropy] label_smoothing {} outside [0, 1]", options.label_smoothing);
}

Tensor CrossEntropyLoss::forward(const Tensor& logits, const IndexArray& target) const {
  return cross_entropy(logits, target, options_);
}

NLLLoss::NLLLoss(const NLLLossOptions& options) : options_(options) {}

Tensor NLLLoss::forward(const Tensor& logp, const IndexArray& target) const {
  return nll_loss(logp, target, options_.ignore_index, options_.reduction);
}

}  // namespace ember::nn
