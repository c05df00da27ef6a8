// Golden runners for attention (../shared/golden/README.md sections 6.6-6.9): the score functions,
// MultiheadAttention and the Transformer layers. Each builds the ember module from the case's
// config, loads the case's parameters by their torch names, runs forward and backpropagates the
// fixture's upstream gradients (weights outputs have none: they are compared as values only).
#include <map>
#include <memory>
#include <string>

#include "ember/core/error.h"
#include "ember/layers/attention.h"
#include "ember/layers/multihead_attention.h"
#include "ember/layers/transformer.h"
#include "tools/golden/golden_case.h"

namespace ember::golden {
namespace {

// An optional U8 mask of the case, undefined when absent.
Tensor optional_mask(const GoldenCase& c, const std::string& name) {
  return c.has(name) ? c.mask(name) : Tensor();
}

GoldenResults run_score(const GoldenCase& c, const std::string& kind) {
  const int64_t dq = config_int(c, "d_q"), dk = config_int(c, "d_k");
  std::shared_ptr<nn::Attention> attention;
  if (kind == "dot") attention = std::make_shared<nn::DotAttention>();
  if (kind == "scaled_dot") attention = std::make_shared<nn::ScaledDotAttention>();
  if (kind == "general") attention = std::make_shared<nn::GeneralAttention>(dq, dk);
  if (kind == "additive")
    attention = std::make_shared<nn::AdditiveAttention>(dq, dk, config_int(c, "d_att"));
  load_params(c, *attention);
  const Tensor q = c.input("input.q"), keys = c.input("input.keys");
  const nn::AttentionOutput out =
      attention->forward(q, keys, Tensor(), optional_mask(c, "input.mask"));  // values = keys
  return module_results(c, *attention, {{"context", out.context}, {"weights", out.weights}},
                        {{"q", q}, {"keys", keys}});
}

GoldenResults run_mha(const GoldenCase& c) {
  const auto& cfg = c.config;
  EMBER_CHECK(cfg.value("batch_first", true) && !cfg.value("add_bias_kv", false) &&
                  !cfg.value("add_zero_attn", false) &&
                  cfg.value("kdim", nlohmann::json()).is_null() &&
                  cfg.value("vdim", nlohmann::json()).is_null(),
              "[golden] {}: MultiheadAttention supports batch_first without bias_kv, zero_attn, "
              "kdim or vdim, got {}",
              c.name, cfg.dump());
  nn::MultiheadAttention mha(
      config_int(c, "embed_dim"), config_int(c, "num_heads"),
      {.bias = cfg.value("bias", true), .dropout = cfg.value("dropout", 0.0f)});
  load_params(c, mha);
  std::map<std::string, Tensor> inputs;
  Tensor query, key, value;
  if (c.has("input.x")) {  // self-attention: one tensor is query, key and value
    query = key = value = inputs["x"] = c.input("input.x");
  } else if (c.has("input.memory")) {
    query = inputs["query"] = c.input("input.query");
    key = value = inputs["memory"] = c.input("input.memory");
  } else {
    query = inputs["query"] = c.input("input.query");
    key = inputs["key"] = c.input("input.key");
    value = inputs["value"] = c.input("input.value");
  }
  const nn::MultiheadAttentionOutput out =
      mha.forward(query, key, value,
                  {.key_padding_mask = optional_mask(c, "input.key_padding_mask"),
                   .attn_mask = optional_mask(c, "input.attn_mask"),
                   .need_weights = true});
  return module_results(c, mha, {{"y", out.output}, {"attn_weights", out.weights}}, inputs);
}

nn::TransformerLayerOptions layer_options(const GoldenCase& c) {
  const auto& cfg = c.config;
  const std::string act = cfg.value("activation", "relu");
  EMBER_CHECK(cfg.value("batch_first", true) && (act == "relu" || act == "gelu"),
              "[golden] {}: Transformer layers support batch_first and relu|gelu, got {}", c.name,
              cfg.dump());
  return {.d_model = config_int(c, "d_model"),
          .nhead = config_int(c, "nhead"),
          .dim_feedforward = config_int(c, "dim_feedforward"),
          .dropout = cfg.value("dropout", 0.0f),
          .activation = act == "gelu" ? nn::Activation::kGelu : nn::Activation::kRelu,
          .layer_norm_eps = cfg.value("layer_norm_eps", 1e-5f),
          .norm_first = cfg.value("norm_first", false)};
}

GoldenResults run_encoder_layer(const GoldenCase& c) {
  nn::TransformerEncoderLayer layer(layer_options(c));
  load_params(c, layer);
  const Tensor src = c.input("input.src");
  const Tensor y =
      layer.forward(src, {.src_mask = optional_mask(c, "input.src_mask"),
                          .src_key_padding_mask = optional_mask(c, "input.src_key_padding_mask")});
  return module_results(c, layer, {{"y", y}}, {{"src", src}});
}

GoldenResults run_decoder_layer(const GoldenCase& c) {
  nn::TransformerDecoderLayer layer(layer_options(c));
  load_params(c, layer);
  const Tensor tgt = c.input("input.tgt"), memory = c.input("input.memory");
  const Tensor y =
      layer.forward(tgt, memory,
                    {.tgt_mask = optional_mask(c, "input.tgt_mask"),
                     .memory_mask = optional_mask(c, "input.memory_mask"),
                     .tgt_key_padding_mask = optional_mask(c, "input.tgt_key_padding_mask"),
                     .memory_key_padding_mask = optional_mask(c, "input.memory_key_padding_mask")});
  return module_results(c, layer, {{"y", y}}, {{"tgt", tgt}, {"memory", memory}});
}

EMBER_GOLDEN_RUNNER("attention.dot", [](const GoldenCase& c) { return run_score(c, "dot"); });
EMBER_GOLDEN_RUNNER("attention.scaled_dot",
                    [](const GoldenCase& c) { return run_score(c, "scaled_dot"); });
EMBER_GOLDEN_RUNNER("attention.general",
                    [](const GoldenCase& c) { return run_score(c, "general"); });
EMBER_GOLDEN_RUNNER("attention.additive",
                    [](const GoldenCase& c) { return run_score(c, "additive"); });
EMBER_GOLDEN_RUNNER("MultiheadAttention", run_mha);
EMBER_GOLDEN_RUNNER("TransformerEncoderLayer", run_encoder_layer);
EMBER_GOLDEN_RUNNER("TransformerDecoderLayer", run_decoder_layer);

}  // namespace
}  // namespace ember::golden
