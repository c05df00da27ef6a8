// Golden runners for the basic layers (../shared/golden/README.md sections 6.1-6.4): each builds
// the ember module from the case's torch config, loads the case's parameters by their torch names
// with load_state_dict, runs forward and backpropagates the fixture's upstream gradients.
#include <map>
#include <string>

#include "ember/core/error.h"
#include "ember/layers/conv1d.h"
#include "ember/layers/embedding.h"
#include "ember/layers/layer_norm.h"
#include "ember/layers/linear.h"
#include "tools/golden/golden_case.h"

namespace ember::golden {
namespace {

GoldenResults run_linear(const GoldenCase& c) {
  nn::Linear linear(config_int(c, "in_features"), config_int(c, "out_features"),
                    c.config.value("bias", true));
  load_params(c, linear);
  const Tensor x = c.input("input.x");
  return module_results(c, linear, {{"y", linear.forward(x)}}, {{"x", x}});
}

GoldenResults run_embedding(const GoldenCase& c) {
  const auto& pad = c.config.at("padding_idx");
  nn::Embedding embedding(config_int(c, "num_embeddings"), config_int(c, "embedding_dim"),
                          pad.is_null() ? -1 : pad.get<int64_t>());
  load_params(c, embedding);
  return module_results(c, embedding, {{"y", embedding.forward(c.indices("input.ids"))}}, {});
}

GoldenResults run_layer_norm(const GoldenCase& c) {
  const auto& shape = c.config.at("normalized_shape");
  EMBER_CHECK(shape.is_array() && shape.size() == 1 && c.config.value("elementwise_affine", true),
              "[golden] {}: LayerNorm supports one normalized dim with elementwise_affine, got {}",
              c.name, c.config.dump());
  nn::LayerNorm norm(shape.at(0).get<int64_t>(), c.config.value("eps", 1e-5f));
  load_params(c, norm);
  const Tensor x = c.input("input.x");
  return module_results(c, norm, {{"y", norm.forward(x)}}, {{"x", x}});
}

GoldenResults run_conv1d(const GoldenCase& c) {
  EMBER_CHECK(
      c.config.value("groups", 1) == 1 && c.config.value("padding_mode", "zeros") == "zeros",
      "[golden] {}: Conv1d supports groups 1 and zero padding, got {}", c.name, c.config.dump());
  const nn::Conv1DOptions options{.stride = config_int(c, "stride"),
                                  .padding = config_int(c, "padding"),
                                  .dilation = config_int(c, "dilation"),
                                  .bias = c.config.value("bias", true)};
  nn::Conv1D conv(config_int(c, "in_channels"), config_int(c, "out_channels"),
                  config_int(c, "kernel_size"), options);
  load_params(c, conv);
  const Tensor x = c.input("input.x");
  return module_results(c, conv, {{"y", conv.forward(x)}}, {{"x", x}});
}

EMBER_GOLDEN_RUNNER("Linear", run_linear);
EMBER_GOLDEN_RUNNER("Embedding", run_embedding);
EMBER_GOLDEN_RUNNER("LayerNorm", run_layer_norm);
EMBER_GOLDEN_RUNNER("Conv1d", run_conv1d);

}  // namespace
}  // namespace ember::golden
