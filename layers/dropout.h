// Dropout (torch.nn.Dropout; Srivastava et al., 2014), inverted: in training mode each element is
// zeroed with probability p and the survivors are scaled by 1/(1-p); in eval mode the identity.
//   x: any shape  ->  y: same shape
// Masks come from core::default_generator(), so core::manual_seed makes a run reproducible.
#pragma once

#include "ember/layers/module.h"

namespace ember::nn {

class Dropout : public Module {
 public:
  // p in [0, 1) ("[dropout]" error otherwise). No parameters.
  explicit Dropout(float p = 0.5f);

  Tensor forward(const Tensor& x) const;  // uses is_training(); returns x itself in eval mode

  float p() const { return p_; }
  std::string extra_repr() const override { return "p=" + python_repr(p_); }

 private:
  float p_;
};

}  // namespace ember::nn
