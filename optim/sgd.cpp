#include "ember/optim/sgd.h"

#include <cmath>
#include <utility>

#include "ember/core/error.h"
#include "ember/core/threads.h"

namespace ember::optim {
namespace {

const SGDOptions& checked(const SGDOptions& o) {
  EMBER_CHECK(std::isfinite(o.momentum) && o.momentum >= 0.0f,
              "[SGD] momentum must be finite and >= 0, got {}", o.momentum);
  EMBER_CHECK(std::isfinite(o.dampening), "[SGD] dampening must be finite, got {}", o.dampening);
  EMBER_CHECK(!o.nesterov || (o.momentum > 0.0f && o.dampening == 0.0f),
              "[SGD] Nesterov momentum needs momentum > 0 and dampening 0, got momentum {} and "
              "dampening {}",
              o.momentum, o.dampening);
  return o;
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : SGD(std::vector<ParamGroup>{{std::move(params), options.lr, options.weight_decay}}, options) {
}

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& options)
    : Optimizer("SGD", std::move(groups)), options_(checked(options)) {}

std::vector<std::string> SGD::buffer_names() const {
  if (options_.momentum == 0.0f) return {};
  return {"momentum_buffer"};
}

// p, grad, buf: (N) flattened, contiguous. One pass; buf is read and written in place.
void SGD::update(const ParamGroup& group, const NDArray& param, const NDArray& grad,
                 ParamState& state) {
  float* p = param.data();
  const float* g = grad.data();
  const int64_t n = param.numel();
  const float lr = group.lr, wd = group.weight_decay;
  if (options_.momentum == 0.0f) {
    core::parallel_for(n, n >= core::kParallelElements, [&](int64_t i) { p[i] -= lr * (g[i] + wd * p[i]); });
    return;
  }
  const bool first = state.buffers.empty();
  float* buf = buffer(state, "momentum_buffer", param.shape()).data();
  const float mu = options_.momentum, keep = 1.0f - options_.dampening;
  const bool nesterov = options_.nesterov;
  core::parallel_for(n, n >= core::kParallelElements, [&](int64_t i) {
    const float d = g[i] + wd * p[i];
    buf[i] = first ? d : mu * buf[i] + keep * d;
    p[i] -= lr * (nesterov ? d + mu * buf[i] : buf[i]);
  });
}

}  // namespace ember::optim
