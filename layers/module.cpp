#include "ember/layers/module.h"

#include "ember/core/checksums.h"
#include "ember/core/error.h"
#include "ember/core/safetensors.h"

namespace ember::nn {

Tensor Module::register_parameter(const std::string& name, Tensor value) {
  EMBER_CHECK(value.defined() && value.is_leaf(),
              "[register_parameter] '{}' must be a defined leaf tensor", name);
  for (const auto& [n, p] : parameters_)
    EMBER_CHECK(n != name, "[register_parameter] '{}' registered twice", name);
  value.set_requires_grad(true);
  parameters_.emplace_back(name, value);
  return value;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  EMBER_CHECK(module != nullptr, "[register_module] '{}' is null", name);
  for (const auto& [n, m] : children_)
    EMBER_CHECK(n != name, "[register_module] '{}' registered twice", name);
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, p] : parameters_) out.emplace_back(prefix + name, p);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

void Module::quantize_int8() {
  for (const auto& [name, child] : children_) child->quantize_int8();
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const Tensor& p : parameters()) n += p.numel();
  return n;
}

void Module::zero_grad() {
  for (Tensor p : parameters()) p.zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

StateDict Module::state_dict() const {
  StateDict out;
  for (const auto& [name, p] : named_parameters()) out[name] = p.data();
  return out;
}

Module::LoadReport Module::load_state_dict(const StateDict& state, bool strict) {
  LoadReport report;
  std::vector<std::string> problems;
  const auto params = named_parameters();
  std::map<std::string, bool> known;
  for (const auto& [name, p] : params) {
    known[name] = true;
    auto it = state.find(name);
    if (it == state.end()) {
      report.missing.push_back(name);
    } else if (it->second.shape() != p.shape()) {
      problems.push_back(fmt::format("'{}' has shape {} in the state but {} in the module", name,
                                     core::shape_str(it->second.shape()),
                                     core::shape_str(p.shape())));
    }
  }
  for (const auto& [name, value] : state)
    if (!known.count(name)) report.unexpected.push_back(name);
  if (strict) {
    for (const auto& name : report.missing) problems.push_back(fmt::format("missing key '{}'", name));
    for (const auto& name : report.unexpected)
      problems.push_back(fmt::format("unexpected key '{}'", name));
  }
  EMBER_CHECK(problems.empty(), "[load_state_dict] refused, nothing loaded: {}",
              fmt::join(problems, "; "));
  for (const auto& [name, p] : params) {
    auto it = state.find(name);
    if (it != state.end()) p.data().copy_(it->second);
  }
  return report;
}

Tensor Sequential::forward(const Tensor& x) const {
  Tensor y = x;
  for (const auto& step : steps_) y = step(y);
  return y;
}

void save(const Module& module, const std::string& path,
          const std::map<std::string, std::string>& metadata) {
  core::SafeTensors st;
  st.floats = module.state_dict();
  st.metadata = metadata;
  st.metadata["format"] = "pt";  // what PyTorch's safetensors loader expects for a state_dict
  core::add_checksums(st);
  core::save_safetensors(path, st);
}

Module::LoadReport load(Module& module, const std::string& path, bool strict) {
  return load(module, core::load_safetensors(path), path, strict);
}

Module::LoadReport load(Module& module, const core::SafeTensors& file, const std::string& path,
                        bool strict) {
  core::verify_checksums(file, fmt::format("[load] {}", path), /*required=*/false);
  EMBER_CHECK(file.indices.empty() && file.masks.empty(),
              "[load] {}: a state_dict holds only float tensors", path);
  try {
    return module.load_state_dict(file.floats, strict);
  } catch (const Error& e) {
    throw Error(fmt::format("{} (file {})", e.what(), path));
  }
}

}  // namespace ember::nn
