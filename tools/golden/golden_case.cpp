// GoldenCase accessors, the runner registry and the backward helpers every runner shares.
#include "tools/golden/golden_case.h"

#include <filesystem>
#include <stdexcept>
#include <utility>

#include "ember/core/error.h"

namespace ember::golden {
namespace {

std::map<std::string, GoldenRunner>& registry() {
  static std::map<std::string, GoldenRunner> runners;
  return runners;
}

}  // namespace

const NDArray& GoldenCase::floats(const std::string& tensor) const {
  const auto it = data.floats.find(tensor);
  EMBER_CHECK(it != data.floats.end(), "[golden] {}: no float tensor '{}' in the case", name,
              tensor);
  return it->second;
}

bool GoldenCase::has(const std::string& tensor) const {
  return data.floats.count(tensor) != 0 || data.indices.count(tensor) != 0 ||
         data.masks.count(tensor) != 0;
}

Tensor GoldenCase::input(const std::string& tensor) const {
  // A copy, so that a runner writing into its leaves never alters the fixture.
  return Tensor(floats(tensor).clone(), /*requires_grad=*/true);
}

const IndexArray& GoldenCase::indices(const std::string& tensor) const {
  const auto it = data.indices.find(tensor);
  EMBER_CHECK(it != data.indices.end(), "[golden] {}: no I64 tensor '{}' in the case", name,
              tensor);
  return it->second;
}

Tensor GoldenCase::mask(const std::string& tensor) const {
  const auto it = data.masks.find(tensor);
  EMBER_CHECK(it != data.masks.end(), "[golden] {}: no U8 mask '{}' in the case", name, tensor);
  return Tensor(it->second);
}

GoldenCase load_case(const std::string& path) {
  GoldenCase c;
  c.data = core::load_safetensors(path);
  const auto& meta = c.data.metadata;
  const auto name = meta.find("case");
  c.name = name != meta.end() ? name->second : std::filesystem::path(path).stem().string();
  const auto op = meta.find("op");
  EMBER_CHECK(op != meta.end(), "[golden] {}: no 'op' in the metadata", path);
  c.op = op->second;
  const auto config = meta.find("config");
  try {
    c.config = config != meta.end() ? nlohmann::json::parse(config->second)
                                    : nlohmann::json::object();
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("[golden] {}: metadata 'config' is not JSON: {}", path, e.what()));
  }
  return c;
}

bool register_runner(const std::string& op, GoldenRunner runner) {
  // Runs during static initialisation: a duplicate is a programming error, fatal at start-up.
  if (!registry().emplace(op, std::move(runner)).second) {
    throw std::logic_error("[golden] two runners registered for op '" + op + "'");
  }
  return true;
}

const GoldenRunner* find_runner(const std::string& op) {
  const auto it = registry().find(op);
  return it != registry().end() ? &it->second : nullptr;
}

void backward_with_upstreams(const GoldenCase& c, const std::map<std::string, Tensor>& outputs,
                             GoldenResults& results) {
  // L = sum_o sum(o * upstream.o): one scalar, one backward pass, so outputs sharing a graph
  // (transpose_reshape's heads/flat/y) accumulate into their common inputs.
  Tensor loss;
  for (const auto& [name, out] : outputs) {
    results["output." + name] = out.data();
    const std::string upstream = "upstream." + name;
    if (!c.has(upstream) || !out.requires_grad()) continue;
    const NDArray& up = c.floats(upstream);
    EMBER_CHECK(up.numel() == out.numel(), "[golden] {}: output.{} has shape {} but {} has {}",
                c.name, name, core::shape_str(out.shape()), upstream, core::shape_str(up.shape()));
    const Tensor term = sum(mul(out, Tensor(up.reshape(out.shape()))));
    loss = loss.defined() ? add(loss, term) : term;
  }
  if (loss.defined()) loss.backward();
}

void collect_grads(const std::string& prefix, const std::map<std::string, Tensor>& tensors,
                   GoldenResults& results) {
  std::string head = "grad." + prefix;
  if (head.back() != '.') head += '.';
  for (const auto& [name, t] : tensors) {
    results[head + name] = t.grad().defined() ? t.grad() : NDArray::zeros(t.shape());
  }
}

void load_params(const GoldenCase& c, nn::Module& module) {
  const std::string prefix = "param.";
  nn::StateDict state;
  for (const auto& [name, value] : c.data.floats)
    if (name.compare(0, prefix.size(), prefix) == 0) state[name.substr(prefix.size())] = value;
  module.load_state_dict(state);
}

GoldenResults module_results(const GoldenCase& c, const nn::Module& module,
                             const std::map<std::string, Tensor>& outputs,
                             const std::map<std::string, Tensor>& inputs) {
  GoldenResults r;
  backward_with_upstreams(c, outputs, r);
  collect_grads("input", inputs, r);
  std::map<std::string, Tensor> params;
  for (const auto& [name, p] : module.named_parameters()) params.emplace(name, p);
  collect_grads("param", params, r);
  return r;
}

int64_t config_int(const GoldenCase& c, const char* key) {
  EMBER_CHECK(c.config.contains(key) && c.config.at(key).is_number_integer(),
              "[golden] {}: config '{}' must be an integer", c.name, key);
  return c.config.at(key).get<int64_t>();
}

}  // namespace ember::golden
