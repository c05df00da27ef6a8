// Adam (Kingma & Ba, 2015, Algorithm 1) and AdamW (Loshchilov & Hutter, 2019, Algorithm 2), with
// PyTorch's torch.optim.Adam / AdamW update exactly. With t the parameter's step (1-based):
//
//   Adam:   g = grad + weight_decay * p                 (L2 decay, folded into the gradient)
//   AdamW:  p = p * (1 - lr * weight_decay); g = grad   (decoupled decay)
//   m = b1 * m + (1 - b1) * g
//   v = b2 * v + (1 - b2) * g^2
//   p = p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//
// eps is added after the bias correction of sqrt(v), as torch does (not to sqrt(v_hat) inside
// the correction): it matters when gradients are tiny.
#pragma once

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;  // the default of every group built from a plain parameter list
};

// torch.optim.AdamW's defaults: as Adam's, with weight_decay 0.01.
struct AdamWOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.01f;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options);
  Adam(std::vector<ParamGroup> groups, const AdamOptions& options);  // groups keep lr and decay

  std::vector<std::string> buffer_names() const override { return {"exp_avg", "exp_avg_sq"}; }
  const AdamOptions& options() const { return options_; }

 protected:
  Adam(const char* name, std::vector<ParamGroup> groups, const AdamOptions& options,
       bool decoupled);
  void update(const ParamGroup& group, const NDArray& param, const NDArray& grad,
              ParamState& state) override;

 private:
  AdamOptions options_;
  bool decoupled_;  // AdamW
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options);
  AdamW(std::vector<ParamGroup> groups, const AdamWOptions& options);
};

}  // namespace ember::optim
