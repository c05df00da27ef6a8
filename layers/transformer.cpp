#include "ember/layers/transformer.h"

#include <string>

#include "ember/autograd/ops/activation.h"
#include "ember/autograd/ops/arithmetic.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"

namespace ember::nn {
namespace {

std::string shape_of(const Tensor& t) {
  return t.defined() ? core::shape_str(t.shape()) : std::string("none");
}

}  // namespace

// ---- shared parts ---------------------------------------------------------------------------

TransformerLayerBase::TransformerLayerBase(const TransformerLayerOptions& options)
    : options_(options) {
  EMBER_CHECK(options.d_model > 0 && options.nhead > 0 && options.dim_feedforward > 0,
              "[transformer] d_model {}, nhead {} and dim_feedforward {} must be positive",
              options.d_model, options.nhead, options.dim_feedforward);
}

void TransformerLayerBase::add_self_attention() {
  self_attn_ = register_module(
      "self_attn", std::make_shared<MultiheadAttention>(
                       options_.d_model, options_.nhead,
                       MultiheadAttentionOptions{.bias = true, .dropout = options_.dropout}));
}

void TransformerLayerBase::add_feed_forward() {
  linear1_ = register_module("linear1",
                             std::make_shared<Linear>(options_.d_model, options_.dim_feedforward));
  dropout_ = register_module("dropout", std::make_shared<Dropout>(options_.dropout));
  linear2_ = register_module("linear2",
                             std::make_shared<Linear>(options_.dim_feedforward, options_.d_model));
}

Tensor TransformerLayerBase::feed_forward(const Tensor& x, const Dropout& after) const {
  const Tensor h = linear1_->forward(x);
  const Tensor a = options_.activation == Activation::kGelu ? gelu(h) : relu(h);
  return after.forward(linear2_->forward(dropout_->forward(a)));
}

void TransformerLayerBase::check_width(const char* tag, const char* name, const Tensor& x) const {
  EMBER_CHECK(x.defined() && x.dim() == 3 && x.size(2) == options_.d_model,
              "[{}] {} must be (B, L, {}), got {}", tag, name, options_.d_model, shape_of(x));
}

// ---- encoder layer ----------------------------------------------------------------------------

TransformerEncoderLayer::TransformerEncoderLayer(const TransformerLayerOptions& options)
    : TransformerLayerBase(options) {
  add_self_attention();
  add_feed_forward();
  norm1_ = register_module("norm1",
                           std::make_shared<LayerNorm>(options.d_model, options.layer_norm_eps));
  norm2_ = register_module("norm2",
                           std::make_shared<LayerNorm>(options.d_model, options.layer_norm_eps));
  dropout1_ = register_module("dropout1", std::make_shared<Dropout>(options.dropout));
  dropout2_ = register_module("dropout2", std::make_shared<Dropout>(options.dropout));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src,
                                        const TransformerEncoderMasks& masks) const {
  check_width("transformer_encoder_layer", "src", src);
  const auto sa = [&](const Tensor& x) {
    return dropout1_->forward(self_attn_
                                  ->forward(x, x, x,
                                            {.key_padding_mask = masks.src_key_padding_mask,
                                             .attn_mask = masks.src_mask,
                                             .need_weights = false})
                                  .output);
  };
  if (options_.norm_first) {
    const Tensor x = src + sa(norm1_->forward(src));
    return x + feed_forward(norm2_->forward(x), *dropout2_);
  }
  const Tensor x = norm1_->forward(src + sa(src));
  return norm2_->forward(x + feed_forward(x, *dropout2_));
}

// ---- decoder layer ----------------------------------------------------------------------------

TransformerDecoderLayer::TransformerDecoderLayer(const TransformerLayerOptions& options)
    : TransformerLayerBase(options) {
  add_self_attention();
  multihead_attn_ = register_module(
      "multihead_attn", std::make_shared<MultiheadAttention>(
                            options.d_model, options.nhead,
                            MultiheadAttentionOptions{.bias = true, .dropout = options.dropout}));
  add_feed_forward();
  const auto norm = [&] {
    return std::make_shared<LayerNorm>(options.d_model, options.layer_norm_eps);
  };
  norm1_ = register_module("norm1", norm());
  norm2_ = register_module("norm2", norm());
  norm3_ = register_module("norm3", norm());
  dropout1_ = register_module("dropout1", std::make_shared<Dropout>(options.dropout));
  dropout2_ = register_module("dropout2", std::make_shared<Dropout>(options.dropout));
  dropout3_ = register_module("dropout3", std::make_shared<Dropout>(options.dropout));
}

template <class SelfAttention, class CrossAttention>
Tensor TransformerDecoderLayer::run(const Tensor& tgt, SelfAttention&& sa,
                                    CrossAttention&& ca) const {
  const auto sa_block = [&](const Tensor& x) { return dropout1_->forward(sa(x)); };
  const auto ca_block = [&](const Tensor& x) { return dropout2_->forward(ca(x)); };
  if (options_.norm_first) {
    Tensor x = tgt + sa_block(norm1_->forward(tgt));
    x = x + ca_block(norm2_->forward(x));
    return x + feed_forward(norm3_->forward(x), *dropout3_);
  }
  Tensor x = norm1_->forward(tgt + sa_block(tgt));
  x = norm2_->forward(x + ca_block(x));
  return norm3_->forward(x + feed_forward(x, *dropout3_));
}

Tensor TransformerDecoderLayer::forward(const Tensor& tgt, const Tensor& memory,
                                        const TransformerDecoderMasks& masks) const {
  check_width("transformer_decoder_layer", "tgt", tgt);
  check_width("transformer_decoder_layer", "memory", memory);
  EMBER_CHECK(memory.size(0) == tgt.size(0),
              "[transformer_decoder_layer] tgt {} and memory {} have different batch sizes",
              shape_of(tgt), shape_of(memory));
  const auto sa = [&](const Tensor& x) {
    return self_attn_
        ->forward(x, x, x,
                  {.key_padding_mask = masks.tgt_key_padding_mask,
                   .attn_mask = masks.tgt_mask,
                   .need_weights = false})
        .output;
  };
  const auto ca = [&](const Tensor& x) {
    return multihead_attn_
        ->forward(x, memory, memory,
                  {.key_padding_mask = masks.memory_key_padding_mask,
                   .attn_mask = masks.memory_mask,
                   .need_weights = false})
        .output;
  };
  return run(tgt, sa, ca);
}

KVCache TransformerDecoderLayer::project_memory(const Tensor& memory) const {
  check_width("transformer_decoder_layer", "memory", memory);
  return multihead_attn_->project_memory(memory);
}

Tensor TransformerDecoderLayer::forward_incremental(const Tensor& tgt, KVCache& self_cache,
                                                    const KVCache& memory_kv,
                                                    const Tensor& memory_key_padding_mask) const {
  check_width("transformer_decoder_layer", "tgt", tgt);
  const auto sa = [&](const Tensor& x) { return self_attn_->forward_incremental(x, self_cache); };
  const auto ca = [&](const Tensor& x) {
    return multihead_attn_->forward_cached(x, memory_kv, memory_key_padding_mask);
  };
  return run(tgt, sa, ca);
}

// ---- stacks -----------------------------------------------------------------------------------

TransformerEncoder::TransformerEncoder(const TransformerLayerOptions& options, int64_t num_layers,
                                       bool final_norm) {
  EMBER_CHECK(num_layers > 0, "[transformer_encoder] num_layers must be positive, got {}",
              num_layers);
  layers_ = register_module("layers", std::make_shared<ModuleList<TransformerEncoderLayer>>());
  for (int64_t i = 0; i < num_layers; ++i)
    layers_->push_back(std::make_shared<TransformerEncoderLayer>(options));
  if (final_norm)
    norm_ = register_module("norm",
                            std::make_shared<LayerNorm>(options.d_model, options.layer_norm_eps));
}

Tensor TransformerEncoder::forward(const Tensor& src, const TransformerEncoderMasks& masks) const {
  Tensor x = src;
  for (const auto& layer : *layers_) x = layer->forward(x, masks);
  return norm_ ? norm_->forward(x) : x;
}

void TransformerDecoderState::reorder(const IndexArray& index) {
  for (KVCache& c : self_attn) c.reorder(index);
  for (KVCache& c : memory) c.reorder(index);
  if (memory_key_padding_mask.defined())
    memory_key_padding_mask = Tensor(core::index_select(memory_key_padding_mask.data(), 0, index));
}

TransformerDecoder::TransformerDecoder(const TransformerLayerOptions& options, int64_t num_layers,
                                       bool final_norm) {
  EMBER_CHECK(num_layers > 0, "[transformer_decoder] num_layers must be positive, got {}",
              num_layers);
  layers_ = register_module("layers", std::make_shared<ModuleList<TransformerDecoderLayer>>());
  for (int64_t i = 0; i < num_layers; ++i)
    layers_->push_back(std::make_shared<TransformerDecoderLayer>(options));
  if (final_norm)
    norm_ = register_module("norm",
                            std::make_shared<LayerNorm>(options.d_model, options.layer_norm_eps));
}

Tensor TransformerDecoder::forward(const Tensor& tgt, const Tensor& memory,
                                   const TransformerDecoderMasks& masks) const {
  Tensor x = tgt;
  for (const auto& layer : *layers_) x = layer->forward(x, memory, masks);
  return norm_ ? norm_->forward(x) : x;
}

TransformerDecoderState TransformerDecoder::start(const Tensor& memory,
                                                  const Tensor& memory_key_padding_mask) const {
  TransformerDecoderState state;
  state.self_attn.resize(layers_->size());
  for (const auto& layer : *layers_) state.memory.push_back(layer->project_memory(memory));
  state.memory_key_padding_mask = memory_key_padding_mask;
  return state;
}

Tensor TransformerDecoder::step(const Tensor& tgt, TransformerDecoderState& state) const {
  EMBER_CHECK(state.self_attn.size() == layers_->size() && state.memory.size() == layers_->size(),
              "[transformer_decoder] the state has caches for {} layers, the decoder has {} "
              "(make it with start())",
              state.self_attn.size(), layers_->size());
  Tensor x = tgt;
  for (size_t i = 0; i < layers_->size(); ++i)
    x = (*layers_)[i].forward_incremental(x, state.self_attn[i], state.memory[i],
                                          state.memory_key_padding_mask);
  return norm_ ? norm_->forward(x) : x;
}

}  // namespace ember::nn
