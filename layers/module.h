// Module: the base of every layer — named parameters and submodules registered in order, so that
// named_parameters() yields PyTorch's state_dict keys ("layers.0.self_attn.in_proj_weight"), with
// train()/eval(), zero_grad() and state_dict()/load_state_dict().
//
//   class Affine : public nn::Module {
//    public:
//     explicit Affine(int64_t n) {
//       scale_ = register_parameter("scale", Tensor::ones({n}));
//       shift_ = register_parameter("shift", Tensor::zeros({n}));
//     }
//     Tensor forward(const Tensor& x) const { return x * scale_ + shift_; }
//    private:
//     Tensor scale_, shift_;
//   };
//
// Modules are held by std::shared_ptr; a parameter Tensor is a shared handle, so the member and
// the registry see the same values (load_state_dict writes into them in place).
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/autograd/tensor.h"
#include "ember/core/safetensors.h"

namespace ember::nn {

using StateDict = std::map<std::string, NDArray>;

class Module {
 public:
  virtual ~Module() = default;

  std::vector<std::pair<std::string, Tensor>> named_parameters() const;  // recursive, in order
  std::vector<Tensor> parameters() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }
  int64_t num_parameters() const;  // total element count

  // The options shown when the module is printed, as PyTorch's extra_repr(): "in_features=4,
  // out_features=2, bias=True" for a Linear. Empty by default; a layer with options overrides it.
  virtual std::string extra_repr() const { return {}; }
  // The name a printout gives the module, as torch prints type(m).__name__: the C++ class name
  // ("Linear"); a class that holds several kinds (RecurrentLayer: RNN, LSTM, GRU) names its kind.
  virtual std::string type_name() const;

  void zero_grad();
  void train(bool on = true);  // recursive
  // Dynamic int8 quantization for decoding (core/int8_gemm.h; docs/performance.md, "int8
  // decoding"): each layer below whose products have weights (Linear, MultiheadAttention's
  // in_proj, a model's tied output projection) keeps an int8 copy of them, quantized from their
  // current values (call it after loading), and runs those products on it; they then need grad
  // mode off. The fp32 parameters stay. Recursive: an override quantizes its own products, then
  // calls this.
  virtual void quantize_int8();
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Every parameter's values by dotted name (shared with the module: clone to keep a snapshot).
  StateDict state_dict() const;
  // Copies the values of `state` into the parameters. Strict (the default): every parameter must
  // be present and no other key may be. A missing, unexpected or wrongly shaped key throws one
  // ember::Error naming every such key, and then no parameter has been changed.
  // Non-strict: missing and unexpected keys are allowed (listed in the result), shapes still checked.
  struct LoadReport {
    std::vector<std::string> missing, unexpected;
  };
  LoadReport load_state_dict(const StateDict& state, bool strict = true);

 protected:
  // Python's spelling of option values in extra_repr(), as torch prints them: True, False;
  // 0.1, 1e-05, 1.0.
  static std::string python_repr(bool value);
  static std::string python_repr(float value);

  // Registers (and returns) a parameter; it is made a leaf that requires grad.
  Tensor register_parameter(const std::string& name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void collect(const std::string& prefix, std::vector<std::pair<std::string, Tensor>>& out) const;

  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

// Modules applied one after another; submodules are named "0", "1", ... as in torch.nn.Sequential.
class Sequential : public Module {
 public:
  template <class M>
  Sequential& push_back(std::shared_ptr<M> module) {
    steps_.push_back([module](const Tensor& x) { return module->forward(x); });
    register_module(std::to_string(steps_.size() - 1), std::move(module));
    return *this;
  }
  Tensor forward(const Tensor& x) const;
  size_t size() const { return steps_.size(); }

 private:
  std::vector<std::function<Tensor(const Tensor&)>> steps_;
};

// A list of submodules named "0", "1", ... (torch.nn.ModuleList), e.g. the layers of a stack.
template <class M>
class ModuleList : public Module {
 public:
  void push_back(std::shared_ptr<M> module) {
    items_.push_back(register_module(std::to_string(items_.size()), std::move(module)));
  }
  M& operator[](size_t i) const { return *items_.at(i); }
  size_t size() const { return items_.size(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::shared_ptr<M>> items_;
};

// The module as PyTorch prints a model, with each module's parameter count added as a comment
// (docs/layers.md): its class name, then its options, or its submodules one a line, indented.
//   Sequential(  # 25 parameters
//     (0): Linear(in_features=4, out_features=4, bias=True)  # 20 parameters
//     (1): Dropout(p=0.1)
//     (2): Linear(in_features=4, out_features=1, bias=True)  # 5 parameters
//   )
// Also `std::cout << module` and fmt::format("{}", module) for any Module subclass.
std::string to_string(const Module& module);
std::ostream& operator<<(std::ostream& out, const Module& module);

// Writes the module's state_dict as safetensors, atomically, with PyTorch's "format": "pt", the
// given `metadata` (string pairs) and the integrity data of core/checksums.h.
void save(const Module& module, const std::string& path,
          const std::map<std::string, std::string>& metadata = {});
// Reads a safetensors state_dict into the module with load_state_dict's rules. A file that is not
// valid safetensors, or whose checksums do not match its contents, is refused naming it; a file
// without checksums (PyTorch's) loads as it is.
Module::LoadReport load(Module& module, const std::string& path, bool strict = true);
// The same from a file already read (core::load_safetensors), `path` naming it in errors.
Module::LoadReport load(Module& module, const core::SafeTensors& file, const std::string& path,
                        bool strict = true);

}  // namespace ember::nn

template <class M>
struct fmt::formatter<M, char, std::enable_if_t<std::is_base_of_v<ember::nn::Module, M>>>
    : ember::core::StringFormatter<ember::nn::Module, ember::nn::to_string> {};
