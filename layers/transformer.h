// The Transformer's encoder and decoder layers and stacks (Vaswani et al., 2017, section 3.1), as
// torch.nn.TransformerEncoderLayer / TransformerDecoderLayer / TransformerEncoder /
// TransformerDecoder with batch_first, the same submodule and parameter names.
//   src: (B, S, E)  tgt: (B, T, E)  memory: (B, S, E)  ->  (B, S, E) / (B, T, E)
//   SA(x) = dropout1(self_attn(x, x, x));  CA(x) = dropout2(multihead_attn(x, memory, memory))
//   FF(x) = dropout2|3(linear2(dropout(act(linear1(x)))))     act = relu or exact gelu
//   encoder, post-norm:  x = norm1(x + SA(x));  y = norm2(x + FF(x))
//   encoder, norm_first: x = x + SA(norm1(x));  y = x + FF(norm2(x))   (Xiong et al., 2020)
//   decoder, post-norm:  x = norm1(x + SA(x));  x = norm2(x + CA(x));  y = norm3(x + FF(x))
//   decoder, norm_first: x = x + SA(norm1(x));  x = x + CA(norm2(x));  y = x + FF(norm3(x))
// memory is never normalised inside a decoder layer. Masks are 0/1 Tensors, 1 = not attended:
// *_mask (T, S) shared by the batch (causal_mask(T) for a decoder), *_key_padding_mask (B, S).
//
// Stacks (submodules "layers.0", "layers.1", ..., optional final "norm") apply the layers in turn.
// Unlike torch, whose stacks deep-copy one layer (every layer starts with the same values), each
// layer is initialised on its own draw.
//
// Incremental decoding (inference, under NoGradGuard), e.g. greedy or beam search:
//   TransformerDecoderState state = decoder.start(memory, memory_key_padding_mask);
//   for each step: Tensor y = decoder.step(tgt_embedding_t, state);    // (B, 1, E) -> (B, 1, E)
//   (beam search: state.reorder(beam_rows) after choosing the surviving hypotheses)
// One position at a time this way equals forward() with tgt_mask = causal_mask(T).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ember/layers/dropout.h"
#include "ember/layers/layer_norm.h"
#include "ember/layers/linear.h"
#include "ember/layers/module.h"
#include "ember/layers/multihead_attention.h"

namespace ember::nn {

enum class Activation { kRelu, kGelu };

struct TransformerLayerOptions {
  int64_t d_model = 512;
  int64_t nhead = 8;
  int64_t dim_feedforward = 2048;
  float dropout = 0.1f;  // after attention, in the feed-forward, and on the attention weights
  Activation activation = Activation::kRelu;
  float layer_norm_eps = 1e-5f;
  bool norm_first = false;
};

struct TransformerEncoderMasks {
  Tensor src_mask;              // (S, S) or undefined
  Tensor src_key_padding_mask;  // (B, S) or undefined
};

struct TransformerDecoderMasks {
  Tensor tgt_mask;                 // (T, T), usually causal_mask(T); or undefined
  Tensor memory_mask;              // (T, S) or undefined
  Tensor tgt_key_padding_mask;     // (B, T) or undefined
  Tensor memory_key_padding_mask;  // (B, S) or undefined
};

// The feed-forward block and norms shared by both layer kinds.
class TransformerLayerBase : public Module {
 public:
  const TransformerLayerOptions& options() const { return options_; }

 protected:
  explicit TransformerLayerBase(const TransformerLayerOptions& options);
  // Register self_attn, and linear1, dropout, linear2: separate so that each layer registers its
  // submodules in torch's order.
  void add_self_attention();
  void add_feed_forward();
  Tensor feed_forward(const Tensor& x, const Dropout& after) const;  // FF(x) above
  // "[tag] name must be (B, L, d_model), got ..." unless x is.
  void check_width(const char* tag, const char* name, const Tensor& x) const;

  TransformerLayerOptions options_;
  std::shared_ptr<MultiheadAttention> self_attn_;
  std::shared_ptr<Linear> linear1_, linear2_;
  std::shared_ptr<Dropout> dropout_;
};

class TransformerEncoderLayer : public TransformerLayerBase {
 public:
  // Submodules self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
  explicit TransformerEncoderLayer(const TransformerLayerOptions& options);
  Tensor forward(const Tensor& src, const TransformerEncoderMasks& masks = {}) const;

 private:
  std::shared_ptr<LayerNorm> norm1_, norm2_;
  std::shared_ptr<Dropout> dropout1_, dropout2_;
};

class TransformerDecoderLayer : public TransformerLayerBase {
 public:
  // Submodules self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3,
  // dropout1, dropout2, dropout3.
  explicit TransformerDecoderLayer(const TransformerLayerOptions& options);
  Tensor forward(const Tensor& tgt, const Tensor& memory,
                 const TransformerDecoderMasks& masks = {}) const;

  // Incremental decoding: tgt (B, T_new, E) are the next positions; self_cache holds this layer's
  // earlier positions (and gains these), memory_kv is project_memory(memory).
  KVCache project_memory(const Tensor& memory) const;
  Tensor forward_incremental(const Tensor& tgt, KVCache& self_cache, const KVCache& memory_kv,
                             const Tensor& memory_key_padding_mask = Tensor()) const;

 private:
  // The layer given its two attention blocks (full or incremental), shared by both forwards.
  template <class SelfAttention, class CrossAttention>
  Tensor run(const Tensor& tgt, SelfAttention&& sa, CrossAttention&& ca) const;

  std::shared_ptr<MultiheadAttention> multihead_attn_;
  std::shared_ptr<LayerNorm> norm1_, norm2_, norm3_;
  std::shared_ptr<Dropout> dropout1_, dropout2_, dropout3_;
};

class TransformerEncoder : public Module {
 public:
  TransformerEncoder(const TransformerLayerOptions& options, int64_t num_layers,
                     bool final_norm = false);
  Tensor forward(const Tensor& src, const TransformerEncoderMasks& masks = {}) const;
  const ModuleList<TransformerEncoderLayer>& layers() const { return *layers_; }

 private:
  std::shared_ptr<ModuleList<TransformerEncoderLayer>> layers_;
  std::shared_ptr<LayerNorm> norm_;  // null without final_norm
};

// What incremental decoding keeps between steps.
struct TransformerDecoderState {
  std::vector<KVCache> self_attn;  // per layer: keys/values of the positions decoded so far
  std::vector<KVCache> memory;     // per layer: the memory's projected keys/values
  Tensor memory_key_padding_mask;  // (B, S) or undefined
  int64_t length() const { return self_attn.empty() ? 0 : self_attn.front().length(); }
  // Beam search: batch row i becomes old row index[i], in every cache and the mask.
  void reorder(const IndexArray& index);
};

class TransformerDecoder : public Module {
 public:
  TransformerDecoder(const TransformerLayerOptions& options, int64_t num_layers,
                     bool final_norm = false);
  Tensor forward(const Tensor& tgt, const Tensor& memory,
                 const TransformerDecoderMasks& masks = {}) const;

  // Incremental decoding (header comment): projects memory for every layer once.
  TransformerDecoderState start(const Tensor& memory,
                                const Tensor& memory_key_padding_mask = Tensor()) const;
  // The next positions tgt (B, T_new, E) -> (B, T_new, E), final norm included.
  Tensor step(const Tensor& tgt, TransformerDecoderState& state) const;
  const ModuleList<TransformerDecoderLayer>& layers() const { return *layers_; }

 private:
  std::shared_ptr<ModuleList<TransformerDecoderLayer>> layers_;
  std::shared_ptr<LayerNorm> norm_;  // null without final_norm
};

}  // namespace ember::nn
