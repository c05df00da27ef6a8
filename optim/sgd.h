// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// PyTorch's torch.optim.SGD update exactly (Sutskever et al., 2013 for the Nesterov form):
//
//   g = grad + weight_decay * p
//   if momentum != 0:
//     buf = g                                     on the first step (no dampening)
//     buf = momentum * buf + (1 - dampening) * g  afterwards
//     g = g + momentum * buf  (nesterov)  or  buf
//   p = p - lr * g
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct SGDOptions {
  float lr = 0.01f;
  float momentum = 0.0f;
  float dampening = 0.0f;
  float weight_decay = 0.0f;  // the default of every group built from a plain parameter list
  bool nesterov = false;      // needs momentum > 0 and dampening 0
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options);
  SGD(std::vector<ParamGroup> groups, const SGDOptions& options);  // groups keep their lr and decay

  std::vector<std::string> buffer_names() const override;
  const SGDOptions& options() const { return options_; }

 protected:
  void update(const ParamGroup& group, const NDArray& param, const NDArray& grad,
              ParamState& state) override;

 private:
  SGDOptions options_;
};

}  // namespace ember::optim
