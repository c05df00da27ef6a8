// Optimizer: the base of SGD, Adam and AdamW (docs/optim.md). It holds parameter groups, each
// with its own learning rate and weight decay, and a state per parameter (step count and named
// buffers such as Adam's moments) that training checkpoints save and restore.
//
//   optim::AdamW opt(model.parameters(), {.lr = 3e-4f});
//   for (...) {
//     opt.zero_grad();
//     loss(model, batch).backward();
//     opt.set_lr(schedule.rate(step));
//     opt.step();
//   }
//
// step() writes the parameters in place through their NDArrays: no autograd graph is recorded,
// and each parameter is updated by one fused loop over its elements.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ember/autograd/tensor.h"

namespace ember::optim {

// Parameters that share a learning rate and a weight decay (torch's param_groups).
struct ParamGroup {
  std::vector<Tensor> params;
  float lr = 0.0f;
  float weight_decay = 0.0f;
};

// What an optimizer remembers about one parameter: the number of updates it has received and
// its buffers by name ("momentum_buffer", "exp_avg", "exp_avg_sq"), each of the parameter's
// shape. Buffers exist once step > 0.
struct ParamState {
  int64_t step = 0;
  std::map<std::string, NDArray> buffers;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // "SGD", "Adam", "AdamW": the tag of error messages and the type saved in checkpoints.
  const char* name() const { return name_; }
  // The buffers a parameter's state holds after its first update.
  virtual std::vector<std::string> buffer_names() const = 0;

  // One update of every parameter that has a gradient (parameters without one are skipped, as
  // torch skips grad None).
  void step();
  // Drops every parameter's gradient (torch's zero_grad(set_to_none=True)).
  void zero_grad();

  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  void add_param_group(ParamGroup group);
  // Sets the learning rate of every group (what a schedule does each step).
  void set_lr(float lr);

  // States of all parameters, in group order then parameter order (torch's state_dict ids).
  const std::vector<ParamState>& state() const { return state_; }
  // Throws unless `state` fits this optimizer: one entry per parameter, and after a first step
  // exactly buffer_names(), each of its parameter's shape.
  void check_state(const std::vector<ParamState>& state) const;
  // check_state, then replaces the state (nothing changes when the check throws).
  void load_state(std::vector<ParamState> state);

 protected:
  // Checks every group: defined leaf parameters, none listed twice, lr and weight decay >= 0.
  Optimizer(const char* name, std::vector<ParamGroup> groups);

  // Updates `param` in place from `grad`; both contiguous and of one shape. state.step has
  // already been incremented (it is t, 1-based, of the formulas).
  virtual void update(const ParamGroup& group, const NDArray& param, const NDArray& grad,
                      ParamState& state) = 0;

  // The buffer `name` of `state`, created as zeros of the parameter's shape when missing.
  static const NDArray& buffer(ParamState& state, const std::string& name, const Shape& shape);

 private:
  void check_group(const ParamGroup& group) const;

  const char* name_;
  std::vector<ParamGroup> groups_;
  std::vector<ParamState> state_;
};

}  // namespace ember::optim
