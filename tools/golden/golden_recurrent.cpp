// Golden runners for RNN, LSTM and GRU (../shared/golden/README.md section 6.5): each builds the
// ember layer from the case's torch config, loads the case's parameters by their torch names,
// runs forward from input.h0 (and input.c0) and backpropagates the upstreams of y, h_n and c_n.
#include <map>
#include <string>

#include "ember/core/error.h"
#include "ember/layers/rnn.h"
#include "tools/golden/golden_case.h"

namespace ember::golden {
namespace {

nn::RecurrentOptions recurrent_options(const GoldenCase& c) {
  const nlohmann::json& cfg = c.config;
  EMBER_CHECK(cfg.value("nonlinearity", "tanh") == "tanh",
              "[golden] {}: only the tanh RNN is implemented, got {}", c.name, cfg.dump());
  nn::RecurrentOptions o;
  o.input_size = cfg.at("input_size").get<int64_t>();
  o.hidden_size = cfg.at("hidden_size").get<int64_t>();
  o.num_layers = cfg.value("num_layers", int64_t{1});
  o.bias = cfg.value("bias", true);
  o.batch_first = cfg.value("batch_first", false);  // torch's default when the key is absent
  o.bidirectional = cfg.value("bidirectional", false);
  o.dropout = cfg.value("dropout", 0.0f);
  return o;
}

// Loads the parameters, runs `forward(x, {h0, c0})` and collects every compared tensor.
template <class Layer>
GoldenResults run(const GoldenCase& c) {
  Layer layer(recurrent_options(c));
  load_params(c, layer);
  std::map<std::string, Tensor> inputs{{"x", c.input("input.x")}};
  for (const char* name : {"h0", "c0"})
    if (c.has(std::string("input.") + name)) inputs[name] = c.input(std::string("input.") + name);
  const auto get = [&](const char* name) {
    const auto it = inputs.find(name);
    return it != inputs.end() ? it->second : Tensor();
  };
  const nn::RecurrentOutput out = layer.forward(get("x"), {get("h0"), get("c0")});
  std::map<std::string, Tensor> outputs{{"y", out.output}, {"h_n", out.h_n}};
  if (out.c_n.defined()) outputs.emplace("c_n", out.c_n);
  return module_results(c, layer, outputs, inputs);
}

}  // namespace

EMBER_GOLDEN_RUNNER("RNN", run<nn::RNN>);
EMBER_GOLDEN_RUNNER("LSTM", run<nn::LSTM>);
EMBER_GOLDEN_RUNNER("GRU", run<nn::GRU>);

}  // namespace ember::golden
