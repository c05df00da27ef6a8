#include "ember/optim/optimizer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "ember/core/error.h"

namespace ember::optim {

Optimizer::Optimizer(const char* name, std::vector<ParamGroup> groups) : name_(name) {
  EMBER_CHECK(!groups.empty(), "[{}] needs at least one parameter group", name_);
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void Optimizer::check_group(const ParamGroup& group) const {
  EMBER_CHECK(std::isfinite(group.lr) && group.lr >= 0.0f,
              "[{}] learning rate must be finite and >= 0, got {}", name_, group.lr);
  EMBER_CHECK(std::isfinite(group.weight_decay) && group.weight_decay >= 0.0f,
              "[{}] weight decay must be finite and >= 0, got {}", name_, group.weight_decay);
  for (size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& p = group.params[i];
    EMBER_CHECK(p.defined(), "[{}] parameter {} of group {} is undefined", name_, i,
                groups_.size());
    EMBER_CHECK(p.is_leaf(), "[{}] parameter {} of group {} (shape {}) is not a leaf tensor", name_,
                i, groups_.size(), core::shape_str(p.shape()));
    auto same = [&](const Tensor& q) { return q.impl() == p.impl(); };
    bool twice = std::count_if(group.params.begin(), group.params.end(), same) > 1;
    for (const ParamGroup& other : groups_)
      twice = twice || std::any_of(other.params.begin(), other.params.end(), same);
    EMBER_CHECK(!twice, "[{}] parameter {} of group {} (shape {}) appears more than once", name_, i,
                groups_.size(), core::shape_str(p.shape()));
  }
}

void Optimizer::add_param_group(ParamGroup group) {
  check_group(group);
  state_.resize(state_.size() + group.params.size());
  groups_.push_back(std::move(group));
}

void Optimizer::set_lr(float lr) {
  EMBER_CHECK(std::isfinite(lr) && lr >= 0.0f, "[{}] learning rate must be finite and >= 0, got {}",
              name_, lr);
  for (ParamGroup& group : groups_) group.lr = lr;
}

void Optimizer::zero_grad() {
  for (ParamGroup& group : groups_)
    for (Tensor& p : group.params) p.zero_grad();
}

void Optimizer::step() {
  size_t index = 0;
  for (const ParamGroup& group : groups_) {
    for (const Tensor& p : group.params) {
      ParamState& state = state_[index++];
      const NDArray& grad = p.grad();
      if (!grad.defined()) continue;
      EMBER_CHECK(grad.shape() == p.shape(), "[{}] parameter {} has shape {} but its gradient {}",
                  name_, index - 1, core::shape_str(p.shape()), core::shape_str(grad.shape()));
      const NDArray& data = p.data();
      const NDArray work = data.contiguous();  // data itself unless it is a strided view
      ++state.step;
      update(group, work, grad.contiguous(), state);
      if (work.shares_storage_with(data)) data.mark_modified();  // written through data()
      else data.copy_(work);
    }
  }
}

const NDArray& Optimizer::buffer(ParamState& state, const std::string& name, const Shape& shape) {
  NDArray& b = state.buffers[name];
  if (!b.defined()) b = NDArray::zeros(shape);
  return b;
}

void Optimizer::check_state(const std::vector<ParamState>& state) const {
  EMBER_CHECK(state.size() == state_.size(),
              "[{}] state holds {} parameters but the optimizer has {}", name_, state.size(),
              state_.size());
  const std::vector<std::string> names = buffer_names();
  size_t index = 0;
  for (const ParamGroup& group : groups_) {
    for (const Tensor& p : group.params) {
      const ParamState& s = state[index];
      EMBER_CHECK(s.step >= 0, "[{}] parameter {}: negative step count {}", name_, index, s.step);
      const size_t expected = s.step > 0 ? names.size() : 0;
      EMBER_CHECK(s.buffers.size() == expected,
                  "[{}] parameter {} after {} steps needs {} buffers ({}), got {}", name_, index,
                  s.step, expected, fmt::join(names, ", "), s.buffers.size());
      for (const std::string& name : expected > 0 ? names : std::vector<std::string>{}) {
        auto it = s.buffers.find(name);
        EMBER_CHECK(it != s.buffers.end(), "[{}] parameter {}: buffer '{}' is missing", name_,
                    index, name);
        EMBER_CHECK(it->second.shape() == p.shape(),
                    "[{}] parameter {}: buffer '{}' has shape {} but the parameter {}", name_,
                    index, name, core::shape_str(it->second.shape()), core::shape_str(p.shape()));
      }
      ++index;
    }
  }
}

void Optimizer::load_state(std::vector<ParamState> state) {
  check_state(state);
  state_ = std::move(state);
}

}  // namespace ember::optim
