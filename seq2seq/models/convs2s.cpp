#include "ember/seq2seq/models/convs2s.h"

#include <cmath>
#include <utility>

#include "ember/autograd/ops/activation.h"
#include "ember/autograd/ops/arithmetic.h"
#include "ember/autograd/ops/conv.h"
#include "ember/autograd/ops/indexing.h"
#include "ember/autograd/ops/linear_algebra.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/layers/conv1d.h"
#include "ember/layers/embedding.h"
#include "ember/layers/linear.h"
#include "ember/layers/positional.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/masks.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kTag = "convs2s";
constexpr float kHalfRoot = 0.70710678118654752f;  // sqrt(1/2): keeps a sum's variance (3.4)

// What the decoder attends to, one row per hypothesis.
struct EncoderOut {
  Tensor z, u;   // (B, S, E): keys z and values u = (z + e) sqrt(1/2)
  NDArray mask;  // (B, 1, S) 0/1, 1 = padding; undefined when no row is padded
  Tensor scale;  // (B, 1, 1): sqrt(m), m the row's source length

  EncoderOut select(const IndexArray& rows) const {
    EncoderOut out{index_select(z, 0, rows), index_select(u, 0, rows), NDArray(),
                   index_select(scale, 0, rows)};
    if (mask.defined()) out.mask = core::index_select(mask, 0, rows);
    return out;
  }
};

}  // namespace

// ---- attention (Gehring et al., 2017, section 3.3) ----------------------------------------------

class ConvS2SAttention : public nn::Module {
 public:
  ConvS2SAttention(int64_t channels, int64_t embedding_dim)
      : in_(register_module("in_projection",
                            std::make_shared<nn::Linear>(channels, embedding_dim))),
        out_(register_module("out_projection",
                             std::make_shared<nn::Linear>(embedding_dim, channels))) {}

  // c (B, T, C) the convolution's output, g (B, T, E) the target embeddings ->
  // (c' (B, T, C), attention weights (B, T, S)); formulas in convs2s.h.
  std::pair<Tensor, Tensor> forward(const Tensor& c, const Tensor& g, const EncoderOut& enc) const {
    const Tensor d = (in_->forward(c) + g) * kHalfRoot;
    Tensor a = masked_softmax(matmul(d, transpose(enc.z, 1, 2)), enc.mask);
    const Tensor r = matmul(a, enc.u) * enc.scale;
    return {(out_->forward(r) + c) * kHalfRoot, std::move(a)};
  }

 private:
  std::shared_ptr<nn::Linear> in_, out_;
};

// ---- encoder ------------------------------------------------------------------------------------

class ConvS2SEncoder : public nn::Module {
 public:
  explicit ConvS2SEncoder(const ModelConfig& c) : dropout_(c.dropout) {
    embed_tokens_ = register_module(
        "embed_tokens", std::make_shared<nn::Embedding>(c.src_vocab_size, c.embedding_dim, kPadId));
    embed_positions_ = register_module(
        "embed_positions",
        std::make_shared<nn::LearnedPositionalEncoding>(c.max_positions, c.embedding_dim));
    fc1_ = register_module("fc1", std::make_shared<nn::Linear>(c.embedding_dim, c.hidden_size));
    convolutions_ = register_module("convolutions", std::make_shared<nn::ModuleList<nn::Conv1D>>());
    for (int64_t l = 0; l < c.encoder_layers; ++l)
      convolutions_->push_back(
          std::make_shared<nn::Conv1D>(c.hidden_size, 2 * c.hidden_size, c.kernel_size));
    fc2_ = register_module("fc2", std::make_shared<nn::Linear>(c.hidden_size, c.embedding_dim));
    // "same" convolution: K - 1 zeros, the extra one on the right for an even K (as fairseq).
    geometry_.pad_left = (c.kernel_size - 1) / 2;
    geometry_.pad_right = c.kernel_size / 2;
  }

  // src (B, S), lengths (B) -> keys, values, mask and scale for the decoder.
  EncoderOut forward(const IndexArray& src, const std::vector<int64_t>& lengths) const {
    const Tensor padding = source_padding_mask(lengths, src.size(1));  // (B, S) or undefined
    const Tensor e =
        dropout(embed_positions_->forward(embed_tokens_->forward(src)), dropout_, is_training());
    const Tensor channel_mask = padding.defined() ? Tensor(padding.data().unsqueeze(1)) : Tensor();
    Tensor h = transpose(fc1_->forward(e), 1, 2);  // (B, C, S)
    for (const auto& conv : *convolutions_) {
      // Zeroed padding makes a padded row's outputs those of the unpadded row.
      const Tensor x = channel_mask.defined() ? masked_fill(h, channel_mask, 0.0f) : h;
      const Tensor y =
          conv1d(dropout(x, dropout_, is_training()), conv->weight(), conv->bias(), geometry_);
      h = (glu(y, 1) + h) * kHalfRoot;
    }
    Tensor z = fc2_->forward(transpose(h, 1, 2));  // (B, S, E)
    if (padding.defined()) z = masked_fill(z, Tensor(padding.data().unsqueeze(2)), 0.0f);
    std::vector<float> scale;
    for (int64_t length : lengths) scale.push_back(std::sqrt(static_cast<float>(length)));
    const auto batch = static_cast<int64_t>(lengths.size());
    return {z, (z + e) * kHalfRoot, channel_mask.defined() ? channel_mask.data() : NDArray(),
            Tensor::from_vector(scale, {batch, 1, 1})};
  }

 private:
  float dropout_;
  Conv1dGeometry geometry_;
  std::shared_ptr<nn::Embedding> embed_tokens_;
  std::shared_ptr<nn::LearnedPositionalEncoding> embed_positions_;
  std::shared_ptr<nn::Linear> fc1_, fc2_;
  std::shared_ptr<nn::ModuleList<nn::Conv1D>> convolutions_;
};

// ---- decoder ------------------------------------------------------------------------------------

class ConvS2SDecoder : public nn::Module {
 public:
  explicit ConvS2SDecoder(const ModelConfig& c)
      : dropout_(c.dropout), channels_(c.hidden_size), kernel_(c.kernel_size) {
    embed_tokens_ = register_module(
        "embed_tokens", std::make_shared<nn::Embedding>(c.tgt_vocab_size, c.embedding_dim, kPadId));
    embed_positions_ = register_module(
        "embed_positions",
        std::make_shared<nn::LearnedPositionalEncoding>(c.max_positions, c.embedding_dim));
    fc1_ = register_module("fc1", std::make_shared<nn::Linear>(c.embedding_dim, c.hidden_size));
    convolutions_ = register_module("convolutions", std::make_shared<nn::ModuleList<nn::Conv1D>>());
    attention_ = register_module("attention", std::make_shared<nn::ModuleList<ConvS2SAttention>>());
    nn::Conv1DOptions causal;
    causal.causal = true;
    for (int64_t l = 0; l < c.decoder_layers; ++l) {
      convolutions_->push_back(
          std::make_shared<nn::Conv1D>(c.hidden_size, 2 * c.hidden_size, c.kernel_size, causal));
      attention_->push_back(std::make_shared<ConvS2SAttention>(c.hidden_size, c.embedding_dim));
    }
    fc2_ = register_module("fc2", std::make_shared<nn::Linear>(c.hidden_size, c.embedding_dim));
    if (!c.tie_embeddings)
      fc3_ =
          register_module("fc3", std::make_shared<nn::Linear>(c.embedding_dim, c.tgt_vocab_size));
  }

  int64_t num_layers() const { return static_cast<int64_t>(convolutions_->size()); }
  int64_t channels() const { return channels_; }
  int64_t kernel() const { return kernel_; }

  // Teacher forcing: tgt_in (B, T) -> logits (B, T, V).
  Tensor forward(const IndexArray& tgt_in, const EncoderOut& enc) const {
    return project(readout(decode(tgt_in, enc)));
  }

  // Teacher forcing's loss against tgt_out (B, T), without the logits (linear_cross_entropy).
  Tensor loss(const IndexArray& tgt_in, const EncoderOut& enc, const IndexArray& tgt_out,
              const CrossEntropyOptions& options) const {
    const Tensor x = readout(decode(tgt_in, enc));
    return fc3_ ? linear_cross_entropy(x, fc3_->weight(), fc3_->bias(), tgt_out, options)
                : linear_cross_entropy(x, embed_tokens_->weight(), Tensor(), tgt_out, options);
  }

  // The last layer's output h (B, T, C) for tgt_in (B, T).
  Tensor decode(const IndexArray& tgt_in, const EncoderOut& enc) const {
    const Tensor g = embed(tgt_in, 0);
    Tensor h = fc1_->forward(g);  // (B, T, C)
    for (int64_t l = 0; l < num_layers(); ++l) {
      const Tensor x = dropout(h, dropout_, is_training());
      const Tensor c = transpose(glu((*convolutions_)[l].forward(transpose(x, 1, 2)), 1), 1, 2);
      h = ((*attention_)[l].forward(c, g, enc).first + h) * kHalfRoot;
    }
    return h;
  }

  // One position `pos` of R hypotheses: tokens (R) -> logits (R, V). caches[l] (R, C, K - 1)
  // holds layer l's last K - 1 convolution inputs and is advanced; attention[l] gets (R, S).
  Tensor step(const IndexArray& tokens, int64_t pos, const EncoderOut& enc,
              std::vector<NDArray>& caches, std::vector<NDArray>& attention) const {
    const int64_t rows = tokens.numel();
    const Tensor g = embed(tokens.reshape({rows, 1}), pos);  // (R, 1, E)
    Tensor h = fc1_->forward(g);                             // (R, 1, C)
    for (int64_t l = 0; l < num_layers(); ++l) {
      Tensor window = transpose(dropout(h, dropout_, is_training()), 1, 2);  // (R, C, 1)
      if (kernel_ > 1) {
        window = cat({Tensor(caches[l]), window}, 2);  // (R, C, K)
        caches[l] = window.data().narrow(2, 1, kernel_ - 1).contiguous();
      }
      const nn::Conv1D& conv = (*convolutions_)[l];
      const Tensor c = glu(conv1d(window, conv.weight(), conv.bias()), 1).reshape({rows, 1, -1});
      auto [out, weights] = (*attention_)[l].forward(c, g, enc);
      attention[l] = weights.data().select(1, 0);
      h = (out + h) * kHalfRoot;
    }
    return project(readout(h)).reshape({rows, -1});
  }

 private:
  // g = dropout(word(ids) + pos[start ..]): ids (B, T) -> (B, T, E).
  Tensor embed(const IndexArray& ids, int64_t start) const {
    return dropout(embed_positions_->forward(embed_tokens_->forward(ids), start), dropout_,
                   is_training());
  }
  // h (B, T, C) -> the output layer's input dropout(fc2(h)) (B, T, E).
  Tensor readout(const Tensor& h) const {
    return dropout(fc2_->forward(h), dropout_, is_training());
  }
  // x (B, T, E) -> logits (B, T, V).
  Tensor project(const Tensor& x) const {
    return fc3_ ? fc3_->forward(x) : linear(x, embed_tokens_->weight());
  }

  float dropout_;
  int64_t channels_, kernel_;
  std::shared_ptr<nn::Embedding> embed_tokens_;
  std::shared_ptr<nn::LearnedPositionalEncoding> embed_positions_;
  std::shared_ptr<nn::Linear> fc1_, fc2_, fc3_;
  std::shared_ptr<nn::ModuleList<nn::Conv1D>> convolutions_;
  std::shared_ptr<nn::ModuleList<ConvS2SAttention>> attention_;
};

// ---- incremental state --------------------------------------------------------------------------

namespace {

class State : public ConvS2SState {
 public:
  State(const ConvS2S* owner, EncoderOut source, const ConvS2SDecoder& decoder)
      : owner_(owner), source_(std::move(source)), current_(source_), rows_(source_.z.size(0)) {
    const int64_t batch = source_.z.size(0);
    for (int64_t l = 0; l < decoder.num_layers(); ++l)
      caches_.push_back(decoder.kernel() > 1
                            ? NDArray::zeros({batch, decoder.channels(), decoder.kernel() - 1})
                            : NDArray());
    attention_.resize(caches_.size());
  }

  void select(const IndexArray& rows) override {
    if (rows_.select(kTag, rows)) current_ = source_.select(rows_.index());
    for (NDArray& cache : caches_)
      if (cache.defined()) cache = core::index_select(cache, 0, rows);
    for (NDArray& weights : attention_)
      if (weights.defined()) weights = core::index_select(weights, 0, rows);
  }

  // The average over the decoder layers of their attention weights (B, S).
  NDArray last_attention() const override {
    if (attention_.empty() || !attention_.front().defined()) return NDArray();
    NDArray mean = attention_.front().clone();
    for (size_t l = 1; l < attention_.size(); ++l) mean.add_(attention_[l]);
    mean.mul_(1.0f / static_cast<float>(attention_.size()));
    return mean;
  }
  const std::vector<NDArray>& layer_attention() const override { return attention_; }

  const ConvS2S* owner_;
  EncoderOut source_, current_;  // per source of start(); per hypothesis
  SourceRows rows_;
  std::vector<NDArray> caches_, attention_;
  int64_t position_ = 0;
};

}  // namespace

// ---- the model ----------------------------------------------------------------------------------

ConvS2S::ConvS2S(const ModelConfig& config) : config_(config) {
  EMBER_CHECK(config.architecture == Architecture::kConvS2S,
              "[{}] needs a convs2s config, got architecture {}", kTag,
              to_string(config.architecture));
  validate(config);
  encoder_ = register_module("encoder", std::make_shared<ConvS2SEncoder>(config));
  decoder_ = register_module("decoder", std::make_shared<ConvS2SDecoder>(config));
}

Tensor ConvS2S::forward(const Batch& batch) {
  check_source(kTag, batch.source, batch.source_lengths);
  check_target(kTag, batch.source, batch.target_input);
  return decoder_->forward(batch.target_input,
                           encoder_->forward(batch.source, batch.source_lengths));
}

Tensor ConvS2S::loss(const Batch& batch, const CrossEntropyOptions& options) {
  check_source(kTag, batch.source, batch.source_lengths);
  check_target(kTag, batch.source, batch.target_input);
  return decoder_->loss(batch.target_input, encoder_->forward(batch.source, batch.source_lengths),
                        batch.target_output, options);
}

std::unique_ptr<DecoderState> ConvS2S::start(const IndexArray& src,
                                             const std::vector<int64_t>& src_lengths) {
  check_source(kTag, src, src_lengths);
  return std::make_unique<State>(this, encoder_->forward(src, src_lengths), *decoder_);
}

Tensor ConvS2S::step(const IndexArray& tokens, DecoderState& state) {
  auto* s = dynamic_cast<State*>(&state);
  EMBER_CHECK(s != nullptr && s->owner_ == this,
              "[{}] step needs a state made by this model's start()", kTag);
  EMBER_CHECK(tokens.dim() == 1 && tokens.numel() == s->rows_.size(),
              "[{}] tokens {} must be (B) for a state of {} hypotheses", kTag,
              core::shape_str(tokens.shape()), s->rows_.size());
  Tensor logits = decoder_->step(tokens, s->position_, s->current_, s->caches_, s->attention_);
  ++s->position_;
  return log_softmax(logits, 1);
}

std::string ConvS2S::describe() const { return summary(config_); }

std::shared_ptr<Seq2SeqModel> make_convs2s(const ModelConfig& config) {
  return std::make_shared<ConvS2S>(config);
}

}  // namespace ember::seq2seq
