#include "ember/seq2seq/models/transformer_seq2seq.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/activation.h"
#include "ember/autograd/ops/arithmetic.h"
#include "ember/autograd/ops/attention.h"
#include "ember/autograd/ops/indexing.h"
#include "ember/autograd/ops/linear_algebra.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/core/reduce.h"
#include "ember/layers/init.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/masks.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kTag = "transformer_seq2seq";
constexpr float kCopyEps = 1e-9f;  // log(P + eps): a token neither generated nor copied stays finite

// (B, S) token ids -> (B, T, S): row b's ids repeated for each of T decoder positions, the
// index that scatters each position's copy attention onto the vocabulary.
IndexArray ids_at_every_step(const IndexArray& ids, int64_t T) {
  const int64_t B = ids.size(0), S = ids.size(1);
  std::vector<int64_t> out(static_cast<size_t>(B * T * S));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      std::copy(ids.data() + b * S, ids.data() + (b + 1) * S, out.data() + (b * T + t) * S);
  return IndexArray(std::move(out), {B, T, S});
}

// The child `name` of `module` as an M (the layers name their parts as torch does).
template <class M>
std::shared_ptr<M> child(const nn::Module& module, const std::string& name) {
  for (const auto& [n, m] : module.children())
    if (n == name) {
      auto typed = std::dynamic_pointer_cast<M>(m);
      EMBER_CHECK(typed != nullptr, "[{}] submodule '{}' has an unexpected type", kTag, name);
      return typed;
    }
  return nullptr;
}

// The source side a copy model's steps read: the encoder output and the token ids.
struct CopySource {
  Tensor encoder_output;  // (B, S, d); undefined for models without copy
  IndexArray ids;         // (B, S)
};

// The incremental state of B hypotheses (see the model's header comment).
class TransformerState : public DecoderState {
 public:
  TransformerState(const TransformerSeq2Seq& model, nn::TransformerDecoderState decoder,
                   CopySource copy_source)
      : model_(model),
        decoder_(std::move(decoder)),
        source_memory_(decoder_.memory),
        source_mask_(decoder_.memory_key_padding_mask),
        copy_source_(std::move(copy_source)),
        encoder_output_(copy_source_.encoder_output),
        rows_(decoder_.memory.front().keys().size(0)) {}

  void select(const IndexArray& rows) override {
    if (rows_.select(kTag, rows)) {
      const IndexArray index = rows_.index();
      decoder_.memory = source_memory_;
      for (nn::KVCache& m : decoder_.memory) m.reorder(index);
      if (source_mask_.defined())
        decoder_.memory_key_padding_mask =
            Tensor(core::index_select(source_mask_.data(), 0, index));
      if (encoder_output_.defined())
        encoder_output_ = Tensor(core::index_select(copy_source_.encoder_output.data(), 0, index));
    }
    for (nn::KVCache& c : decoder_.self_attn) c.reorder(rows);
    if (last_input_.defined())
      last_input_ = Tensor(core::index_select(last_input_.data(), 0, rows));
  }

  NDArray last_attention() const override {
    if (!last_input_.defined()) return NDArray();
    NoGradGuard no_grad;
    return model_.cross_attention(last_input_, decoder_.self_attn.back(), decoder_.memory.back(),
                                  decoder_.memory_key_padding_mask);
  }

  int64_t batch() const { return rows_.size(); }
  nn::TransformerDecoderState& decoder() { return decoder_; }
  const Tensor& encoder_output() const { return encoder_output_; }  // (B, S, d), copy only
  const IndexArray& source_ids() const { return copy_source_.ids; }  // (B given to start(), S)
  IndexArray source_rows() const { return rows_.index(); }  // the source row of each hypothesis
  void set_last_input(Tensor x) { last_input_ = std::move(x); }

 private:
  const TransformerSeq2Seq& model_;
  nn::TransformerDecoderState decoder_;
  std::vector<nn::KVCache> source_memory_;  // per layer, one row per source given to start()
  Tensor source_mask_;
  CopySource copy_source_;  // one row per source given to start()
  Tensor encoder_output_;   // copy_source_'s output, one row per hypothesis
  SourceRows rows_;
  Tensor last_input_;  // (B, 1, d): the last layer's input at the last step
};

}  // namespace

TransformerSeq2Seq::TransformerSeq2Seq(const ModelConfig& config)
    : config_(config), scale_(std::sqrt(static_cast<float>(config.hidden_size))) {
  validate(config);
  EMBER_CHECK(config.architecture == Architecture::kTransformer,
              "[{}] needs architecture transformer, got {}", kTag, to_string(config.architecture));
  const int64_t d = config.hidden_size;
  const auto embedding = [&](const char* name, int64_t vocab) {
    auto e = register_module(name, std::make_shared<nn::Embedding>(vocab, d, kPadId));
    nn::init::normal_(e->weight(), 0.0f, 1.0f / scale_);
    e->weight().data().select(0, kPadId).fill_(0.0f);
    return e;
  };
  src_embed_ = embedding("src_embed", config.src_vocab_size);
  tgt_embed_ = embedding("tgt_embed", config.tgt_vocab_size);
  positions_ = register_module(
      "positions", std::make_shared<nn::SinusoidalPositionalEncoding>(d, config.max_positions));
  const nn::TransformerLayerOptions layer{.d_model = d,
                                          .nhead = config.num_heads,
                                          .dim_feedforward = config.feedforward_dim,
                                          .dropout = config.dropout,
                                          .norm_first = config.norm_first};
  encoder_ = register_module("encoder", std::make_shared<nn::TransformerEncoder>(
                                            layer, config.encoder_layers, config.norm_first));
  decoder_ = register_module("decoder", std::make_shared<nn::TransformerDecoder>(
                                            layer, config.decoder_layers, config.norm_first));
  if (!config.tie_embeddings)
    out_ = register_module("out", std::make_shared<nn::Linear>(d, config.tgt_vocab_size));
  dropout_ = register_module("dropout", std::make_shared<nn::Dropout>(config.dropout));
  if (config.copy) {
    copy_query_ = register_module("copy_query", std::make_shared<nn::Linear>(d, d, false));
    copy_gate_ = register_module("copy_gate", std::make_shared<nn::Linear>(2 * d, 1));
  }
  decoder_norm_ = child<nn::LayerNorm>(*decoder_, "norm");
  const auto& last = decoder_->layers()[decoder_->layers().size() - 1];
  last_ = {child<nn::MultiheadAttention>(last, "self_attn"),
           child<nn::MultiheadAttention>(last, "multihead_attn"),
           child<nn::LayerNorm>(last, "norm1"), child<nn::LayerNorm>(last, "norm2")};
  EMBER_CHECK(last_.self_attn && last_.cross_attn && last_.norm1 && last_.norm2,
              "[{}] the decoder layer lacks self_attn, multihead_attn, norm1 or norm2", kTag);
}

Tensor TransformerSeq2Seq::embed(const nn::Embedding& table, const IndexArray& ids,
                                 int64_t start) const {
  return dropout_->forward(positions_->forward(table.forward(ids) * scale_, start));
}

Tensor TransformerSeq2Seq::encode(const IndexArray& src, const Tensor& padding_mask) const {
  nn::TransformerEncoderMasks masks;
  masks.src_key_padding_mask = padding_mask;
  return encoder_->forward(embed(*src_embed_, src, 0), masks);
}

void TransformerSeq2Seq::quantize_int8() {
  Seq2SeqModel::quantize_int8();
  if (!out_) tied_int8_ = nn::quantize_weight(tgt_embed_->weight(), kTag);
}

Tensor TransformerSeq2Seq::project(const Tensor& h) const {
  if (tied_int8_) return nn::quantized_linear(h, *tied_int8_, 0, tied_int8_->rows, Tensor(), kTag);
  return out_ ? out_->forward(h) : linear(h, tgt_embed_->weight());
}

TransformerSeq2Seq::Decoded TransformerSeq2Seq::decode(const Batch& batch) const {
  const IndexArray& src = batch.source;
  const IndexArray& tgt_in = batch.target_input;
  check_source(kTag, src, batch.source_lengths);
  check_target(kTag, src, tgt_in);
  const Tensor mask = source_padding_mask(batch.source_lengths, src.size(1));
  const Tensor memory = encode(src, mask);
  nn::TransformerDecoderMasks masks;
  masks.tgt_mask = nn::causal_mask(tgt_in.size(1));
  masks.memory_key_padding_mask = mask;
  return {decoder_->forward(embed(*tgt_embed_, tgt_in, 0), memory, masks), memory, mask};
}

Tensor TransformerSeq2Seq::forward(const Batch& batch) {
  const Decoded d = decode(batch);
  const Tensor logits = project(d.h);
  return config_.copy ? copy_log_probs(logits, d.h, d.memory, d.mask, batch.source) : logits;
}

Tensor TransformerSeq2Seq::loss(const Batch& batch, const CrossEntropyOptions& options) {
  if (config_.copy) return Seq2SeqModel::loss(batch, options);
  const Tensor h = decode(batch).h;
  const IndexArray& tgt_out = batch.target_output;
  return out_ ? linear_cross_entropy(h, out_->weight(), out_->bias(), tgt_out, options)
              : linear_cross_entropy(h, tgt_embed_->weight(), Tensor(), tgt_out, options);
}

TransformerSeq2Seq::CopyTerms TransformerSeq2Seq::copy_terms(const Tensor& h, const Tensor& memory,
                                                             const Tensor& padding_mask) const {
  const int64_t batch = h.size(0), T = h.size(1), S = memory.size(1);
  const NDArray mask =
      padding_mask.defined() ? padding_mask.data().reshape({batch, 1, 1, S}) : NDArray();
  const Tensor probs = attention_probs(copy_query_->forward(h), memory, 1, mask, 1.0f / scale_);
  const Tensor context = attend_values(probs, memory);  // (B, T, d)
  return {reshape(probs, {batch, T, S}), sigmoid(copy_gate_->forward(cat({h, context}, -1)))};
}

Tensor TransformerSeq2Seq::copy_log_probs(const Tensor& logits, const Tensor& h,
                                          const Tensor& memory, const Tensor& padding_mask,
                                          const IndexArray& src) const {
  const CopyTerms copy = copy_terms(h, memory, padding_mask);
  // g P_vocab plus (1 - g) a_s added at each source position's id (scatter_add): O(B T S) where
  // a product with a one-hot source (B, S, V) costs O(B T S V) and B S V floats.
  const Tensor generated = copy.gate * softmax(logits, -1);
  const IndexArray index = ids_at_every_step(src, h.size(1));
  return log(scatter_add(generated, 2, index, (1.0f - copy.gate) * copy.attention) + kCopyEps);
}

std::unique_ptr<DecoderState> TransformerSeq2Seq::start(const IndexArray& src,
                                                        const std::vector<int64_t>& src_lengths) {
  check_source(kTag, src, src_lengths);
  NoGradGuard no_grad;
  const Tensor mask = source_padding_mask(src_lengths, src.size(1));
  const Tensor memory = encode(src, mask);
  CopySource copy_source;
  if (config_.copy) copy_source = {.encoder_output = memory, .ids = src};
  return std::make_unique<TransformerState>(*this, decoder_->start(memory, mask),
                                            std::move(copy_source));
}

Tensor TransformerSeq2Seq::step(const IndexArray& tokens, DecoderState& state) {
  auto* s = dynamic_cast<TransformerState*>(&state);
  EMBER_CHECK(s != nullptr, "[{}] step needs a state made by this model's start()", kTag);
  const int64_t batch = s->batch();
  check_step_tokens(kTag, tokens, batch);
  NoGradGuard no_grad;
  nn::TransformerDecoderState& dec = s->decoder();
  Tensor x = embed(*tgt_embed_, tokens.reshape({batch, 1}), dec.length());  // (B, 1, d)
  const auto& layers = decoder_->layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i + 1 == layers.size()) s->set_last_input(x);
    x = layers[i].forward_incremental(x, dec.self_attn[i], dec.memory[i],
                                      dec.memory_key_padding_mask);
  }
  if (decoder_norm_) x = decoder_norm_->forward(x);
  const Tensor logits = project(x).reshape({batch, -1});  // (B, V)
  if (!config_.copy) return log_softmax(logits, -1);
  // The header's mixture, the copy term added row by row (a one-hot of every hypothesis would be
  // B * S * V floats).
  const CopyTerms copy = copy_terms(x, s->encoder_output(), dec.memory_key_padding_mask);
  const int64_t vocab = logits.size(1), S = copy.attention.size(2);
  const NDArray gate = copy.gate.data().contiguous();
  const NDArray attention = copy.attention.data().contiguous();
  NDArray p = (softmax(logits, -1) * reshape(copy.gate, {batch, 1})).data().contiguous();
  const IndexArray rows = s->source_rows();
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t* ids = s->source_ids().data() + rows[b] * S;
    const float keep = 1.0f - gate.data()[b];
    for (int64_t j = 0; j < S; ++j)
      p.data()[b * vocab + ids[j]] += keep * attention.data()[b * S + j];
  }
  return log(Tensor(p) + kCopyEps);
}

// The last layer up to its cross-attention, as TransformerDecoderLayer computes it:
//   pre-norm  q = norm2(x + SA(norm1(x)))      post-norm  q = norm1(x + SA(x))
// then A = softmax(Q K^T / sqrt(d / heads)) per head with Q = q W_q^T + b_q (in_proj rows
// [0, d)) and K the projected memory keys, averaged over the heads.
NDArray TransformerSeq2Seq::cross_attention(const Tensor& x, const nn::KVCache& self_cache,
                                            const nn::KVCache& memory,
                                            const Tensor& key_padding_mask) const {
  const int64_t d = config_.hidden_size, heads = config_.num_heads, batch = x.size(0);
  Tensor q;
  if (config_.norm_first) {
    const Tensor h = x + last_.self_attn->forward_cached(last_.norm1->forward(x), self_cache);
    q = last_.norm2->forward(h);
  } else {
    q = last_.norm1->forward(x + last_.self_attn->forward_cached(x, self_cache));
  }
  const Tensor& w = last_.cross_attn->in_proj_weight();
  const Tensor& b = last_.cross_attn->in_proj_bias();
  const Tensor qp = linear(q, narrow(w, 0, 0, d), b.defined() ? narrow(b, 0, 0, d) : Tensor());
  const NDArray mask = key_padding_mask.defined()
                           ? key_padding_mask.data().reshape({batch, 1, 1, memory.length()})
                           : NDArray();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d / heads));
  const Tensor probs = attention_probs(qp, Tensor(memory.keys()), heads, mask, scale);
  return core::mean(probs.data(), {1}).reshape({batch, memory.length()});  // (B, 1, S) -> (B, S)
}

}  // namespace ember::seq2seq
