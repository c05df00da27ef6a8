// The golden runner's plug-in interface. A case file (../shared/golden/README.md) is loaded into a
// GoldenCase; the runner registered for its `op` metadata computes every compared tensor, and
// ember-golden compares them with the file's atol/rtol. One golden_<family>.cpp per op family
// registers its runners with EMBER_GOLDEN_RUNNER.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ember/core/safetensors.h"
#include "ember/ember.h"

namespace ember::golden {

struct GoldenCase {
  std::string name;        // metadata "case"
  std::string op;          // metadata "op", e.g. "Linear", "functional.add", "optim.SGD"
  nlohmann::json config;   // metadata "config", parsed
  core::SafeTensors data;  // every tensor of the file

  // The float tensor `name` ("input.x", "param.weight", "upstream.y"); throws if absent.
  const NDArray& floats(const std::string& name) const;
  bool has(const std::string& name) const;  // in any of the three maps
  // "input.x" as a leaf Tensor that requires grad.
  Tensor input(const std::string& name) const;
  // An I64 tensor ("input.ids", "input.target").
  const IndexArray& indices(const std::string& name) const;
  // A U8 mask as a Tensor of 0/1 (1 = masked out).
  Tensor mask(const std::string& name) const;
};

// Reads a case file; name, op and config come from its metadata (name defaults to the file stem).
// Throws ember::Error "[golden] <path>: ..." when the file or its metadata is malformed.
GoldenCase load_case(const std::string& path);

// Compared tensors by their fixture names: "output.y", "grad.input.x", "grad.param.weight", ...
using GoldenResults = std::map<std::string, NDArray>;
using GoldenRunner = std::function<GoldenResults(const GoldenCase&)>;

// Registers the runner for an op name; returns true so it can initialise a static.
bool register_runner(const std::string& op, GoldenRunner runner);
// The runner for `op`, or nullptr when ember does not implement it (the case is a SKIP).
const GoldenRunner* find_runner(const std::string& op);

// Backward of L = sum over outputs o with an upstream of sum(o * upstream.o) (README section 2):
// outputs maps "y" -> output tensor. Then collects "output.<o>" values for every output.
void backward_with_upstreams(const GoldenCase& c, const std::map<std::string, Tensor>& outputs,
                             GoldenResults& results);
// Adds "grad.<prefix>.<n>" for every tensor given, prefix "input" or "param" (a trailing "." is
// accepted): "grad.input.x", "grad.param.weight". Undefined grads become zeros of the shape.
void collect_grads(const std::string& prefix, const std::map<std::string, Tensor>& tensors,
                   GoldenResults& results);

// Every "param.<name>" of the case into the module by its torch name (load_state_dict); strict,
// so a missing or extra parameter throws.
void load_params(const GoldenCase& c, nn::Module& module);
// backward_with_upstreams of the outputs, then "grad.input.<n>" for the inputs and
// "grad.param.<n>" for every parameter of the module.
GoldenResults module_results(const GoldenCase& c, const nn::Module& module,
                             const std::map<std::string, Tensor>& outputs,
                             const std::map<std::string, Tensor>& inputs);
// The integer config[key]; throws "[golden] <case>: config '<key>' must be an integer".
int64_t config_int(const GoldenCase& c, const char* key);

}  // namespace ember::golden

#define EMBER_GOLDEN_CONCAT_(a, b) a##b
#define EMBER_GOLDEN_CONCAT(a, b) EMBER_GOLDEN_CONCAT_(a, b)
// EMBER_GOLDEN_RUNNER("Linear", [](const GoldenCase& c) { ...; return results; });
#define EMBER_GOLDEN_RUNNER(op, fn) \
  static const bool EMBER_GOLDEN_CONCAT(golden_registered_, __COUNTER__) = \
      ::ember::golden::register_runner(op, fn)
