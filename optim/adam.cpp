#include "ember/optim/adam.h"

#include <cmath>
#include <utility>

#include "ember/core/error.h"
#include "ember/core/isa/kernel_table.h"
#include "ember/core/threads.h"

namespace ember::optim {
namespace {

const AdamOptions& checked(const char* name, const AdamOptions& o) {
  EMBER_CHECK(o.beta1 >= 0.0f && o.beta1 < 1.0f && o.beta2 >= 0.0f && o.beta2 < 1.0f,
              "[{}] betas must be in [0, 1), got ({}, {})", name, o.beta1, o.beta2);
  EMBER_CHECK(std::isfinite(o.eps) && o.eps >= 0.0f, "[{}] eps must be finite and >= 0, got {}",
              name, o.eps);
  return o;
}

AdamOptions as_adam(const AdamWOptions& o) {
  return {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay};
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(std::vector<ParamGroup>{{std::move(params), options.lr, options.weight_decay}},
           options) {}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& options)
    : Adam("Adam", std::move(groups), options, false) {}

Adam::Adam(const char* name, std::vector<ParamGroup> groups, const AdamOptions& options,
           bool decoupled)
    : Optimizer(name, std::move(groups)), options_(checked(name, options)), decoupled_(decoupled) {}

// p, grad, m, v: (N) flattened, contiguous; one pass reads each once and writes p, m, v.
// The bias corrections are computed in double, as torch computes them on Python floats.
void Adam::update(const ParamGroup& group, const NDArray& param, const NDArray& grad,
                  ParamState& state) {
  float* p = param.data();
  const float* g = grad.data();
  float* m = buffer(state, "exp_avg", param.shape()).data();
  float* v = buffer(state, "exp_avg_sq", param.shape()).data();
  const int64_t n = param.numel();
  const double t = static_cast<double>(state.step);
  const float b1 = options_.beta1, b2 = options_.beta2;
  const core::AdamStep step{
      .b1 = b1,
      .b2 = b2,
      .keep1 = 1.0f - b1,
      .keep2 = 1.0f - b2,
      .eps = options_.eps,
      .step_size = static_cast<float>(group.lr / (1.0 - std::pow(double{b1}, t))),
      .correction2 = static_cast<float>(std::sqrt(1.0 - std::pow(double{b2}, t))),
      .l2 = decoupled_ ? 0.0f : group.weight_decay,
      .shrink = static_cast<float>(decoupled_ ? 1.0 - double{group.lr} * group.weight_decay : 1.0)};
  const auto kernel = core::kernels().adam_range;  // core/isa/adam_kernels.inc
  const auto range = [&](int64_t begin, int64_t end) { kernel(p, g, m, v, begin, end, step); };
  if (n >= core::kParallelElements)
    core::parallel_chunks(n, range);
  else
    range(0, n);
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : AdamW(std::vector<ParamGroup>{{std::move(params), options.lr, options.weight_decay}},
            options) {}

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& options)
    : Adam("AdamW", std::move(groups), as_adam(options), true) {}

}  // namespace ember::optim
