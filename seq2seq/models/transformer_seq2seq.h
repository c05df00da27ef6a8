// Transformer encoder-decoder (Vaswani et al., 2017), d = hidden_size:
//   x = dropout(src_embed(src) * sqrt(d) + PE[0, S))            (section 3.4 and 3.5)
//   memory = encoder(x, src_key_padding_mask)                     (B, S, d)
//   y = dropout(tgt_embed(tgt_in) * sqrt(d) + PE[0, T))
//   h = decoder(y, memory, causal tgt_mask, memory_key_padding_mask)   (B, T, d)
//   logits = h W^T (+ b)    W = tgt_embed.weight when tied (no bias), else out.weight   (B, T, V)
// Layers post-norm (Vaswani) or pre-norm (norm_first; then each stack ends with a LayerNorm,
// "encoder.norm" / "decoder.norm", as the pre-norm models of fairseq and torch do). ReLU
// feed-forward; dropout on embeddings, sublayer outputs, feed-forward and attention weights.
// Embeddings are drawn N(0, 1/d) (so that the scaled embedding has unit variance, as fairseq
// initialises them), the <pad> row 0. Padded source positions are masked as keys in every
// encoder self-attention and decoder cross-attention; when no row is padded no mask is built.
// Shapes: B batch, S source length, T target length, d model width, V target vocabulary.
// Submodules: src_embed, tgt_embed, positions (a buffer, no parameters), encoder, decoder
// (nn::TransformerEncoder/Decoder: "encoder.layers.0.self_attn.in_proj_weight", ...), out
// (untied only), dropout.
//
// Incremental decoding (the state holds the model's address: it must not outlive the model):
// start() encodes once and projects the memory's keys and values for every decoder layer's
// cross-attention once; step() embeds one token per hypothesis at its position and runs it
// through the layers with their self-attention key/value caches. select() reorders the caches;
// the projected memory is gathered again only when a hypothesis changes source row (not while
// beam search reorders hypotheses within their sentence). last_attention() is the last layer's
// cross-attention averaged over its heads, computed on demand from that layer's input.
//
// Copy (config.copy; See et al., 2017, "Get To The Point", section 2.2, on the Transformer's
// output): over the encoder output m (B, S, d) and the decoder's final output h (B, T, d),
//   a = softmax_s(h W_c . m_s / sqrt(d))     one copy-attention head, padding masked
//   c = sum_s a_s m_s                         its context vector
//   g = sigmoid(w_g . [h; c] + b_g)           the probability of generating (their eq. 8)
//   P(w) = g softmax(logits)_w + (1 - g) sum_{s: x_s = w} a_s     (their eq. 9)
// so a token of the source can be written even when the vocabulary distribution gives it little
// mass. Source and target share one vocabulary (x_s is a target id). Such a model returns
// log(P + 1e-9) where the others return logits; as P sums to 1, log_softmax leaves it unchanged,
// so the loss and decoding need nothing new. Teacher forcing scatters the copy term onto the
// vocabulary (scatter_add at the source ids); step() adds it row by row. Submodules "copy_query"
// (W_c, no bias) and "copy_gate" (w_g, b_g).
#pragma once

#include <memory>
#include <vector>

#include "ember/layers/dropout.h"
#include "ember/layers/embedding.h"
#include "ember/layers/layer_norm.h"
#include "ember/layers/linear.h"
#include "ember/layers/positional.h"
#include "ember/layers/transformer.h"
#include "ember/seq2seq/models/config.h"
#include "ember/seq2seq/models/model.h"

namespace ember::seq2seq {

class TransformerSeq2Seq : public Seq2SeqModel {
 public:
  // config.architecture must be kTransformer; validate(config) must pass.
  explicit TransformerSeq2Seq(const ModelConfig& config);

  Tensor forward(const Batch& batch) override;
  Tensor loss(const Batch& batch, const CrossEntropyOptions& options) override;
  std::unique_ptr<DecoderState> start(const IndexArray& src,
                                      const std::vector<int64_t>& src_lengths) override;
  Tensor step(const IndexArray& tokens, DecoderState& state) override;
  std::string describe() const override { return summary(config_); }
  // The layers' products (Module::quantize_int8), and the output projection when it is tied to
  // the target embedding: an int8 copy of that matrix for the logits; the lookup stays fp32.
  void quantize_int8() override;

  const ModelConfig& config() const { return config_; }

  // The last decoder layer's pieces last_attention() needs (found by their torch names).
  struct LastLayer {
    std::shared_ptr<nn::MultiheadAttention> self_attn, cross_attn;
    std::shared_ptr<nn::LayerNorm> norm1, norm2;
  };
  // Cross-attention weights (B, S) of the last layer for its input x (B, 1, d) at the newest
  // position, given the layer's self-attention cache (which holds that position) and projected
  // memory: the layer's first half replayed (grad mode must be off).
  NDArray cross_attention(const Tensor& x, const nn::KVCache& self_cache, const nn::KVCache& memory,
                          const Tensor& key_padding_mask) const;

 private:
  // dropout(table(ids) * sqrt(d) + PE[start, start + L)): ids (B, L) -> (B, L, d).
  Tensor embed(const nn::Embedding& table, const IndexArray& ids, int64_t start) const;
  Tensor encode(const IndexArray& src, const Tensor& padding_mask) const;  // (B, S, d)
  Tensor project(const Tensor& h) const;  // (..., d) -> logits (..., V)
  // Teacher forcing up to the output layer: the decoder's output h (B, T, d), the encoder's
  // output (B, S, d) and its padding mask (inputs checked).
  struct Decoded {
    Tensor h, memory, mask;
  };
  Decoded decode(const Batch& batch) const;
  // The copy head over the encoder output m (B, S, d) for decoder outputs h (B, T, d): attention
  // a (B, T, S) and the generation probability g (B, T, 1) (the header's formulas).
  struct CopyTerms {
    Tensor attention, gate;
  };
  CopyTerms copy_terms(const Tensor& h, const Tensor& memory, const Tensor& padding_mask) const;
  // log P of the header's mixture for teacher forcing: logits (B, T, V), src (B, S).
  Tensor copy_log_probs(const Tensor& logits, const Tensor& h, const Tensor& memory,
                        const Tensor& padding_mask, const IndexArray& src) const;

  ModelConfig config_;
  float scale_;  // sqrt(d)
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_;
  std::shared_ptr<nn::SinusoidalPositionalEncoding> positions_;
  std::shared_ptr<nn::TransformerEncoder> encoder_;
  std::shared_ptr<nn::TransformerDecoder> decoder_;
  std::shared_ptr<nn::Linear> out_;  // null when tied
  nn::Int8Weight tied_int8_;         // the tied projection after quantize_int8(), else null
  std::shared_ptr<nn::Dropout> dropout_;
  std::shared_ptr<nn::LayerNorm> decoder_norm_;  // the decoder's final norm (pre-norm only)
  std::shared_ptr<nn::Linear> copy_query_, copy_gate_;  // copy models only
  LastLayer last_;
};

}  // namespace ember::seq2seq
