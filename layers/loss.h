// Loss modules (torch.nn.CrossEntropyLoss, torch.nn.NLLLoss) over the fused ops of
// autograd/ops/nn.h, where the formulas and gradients are written out.
//   logits / logp: (N..., C)  target: (N...) int64 in [0, C) or ignore_index
//   -> loss: () for mean and sum, (N...) for none
#pragma once

#include <cstdint>

#include "ember/autograd/ops/nn.h"
#include "ember/layers/module.h"

namespace ember::nn {

// Cross-entropy from logits, with ignore_index, label smoothing and reduction (options).
class CrossEntropyLoss : public Module {
 public:
  explicit CrossEntropyLoss(const CrossEntropyOptions& options = {});

  Tensor forward(const Tensor& logits, const IndexArray& target) const;

  const CrossEntropyOptions& options() const { return options_; }

 private:
  CrossEntropyOptions options_;
};

struct NLLLossOptions {
  int64_t ignore_index = -100;  // targets equal to it add nothing and are not counted
  Reduction reduction = Reduction::kMean;
};

// Negative log-likelihood of log-probabilities (e.g. the output of log_softmax).
class NLLLoss : public Module {
 public:
  explicit NLLLoss(const NLLLossOptions& options = {});

  Tensor forward(const Tensor& logp, const IndexArray& target) const;

  const NLLLossOptions& options() const { return options_; }

 private:
  NLLLossOptions options_;
};

}  // namespace ember::nn
