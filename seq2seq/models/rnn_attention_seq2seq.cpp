#include "ember/seq2seq/models/rnn_attention_seq2seq.h"

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/activation.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/masks.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kTag = "rnn_attention_seq2seq";

using Memory = RnnAttentionSeq2Seq::Memory;
using LayerStates = RnnAttentionSeq2Seq::LayerStates;

Tensor rows_of(const Tensor& t, const IndexArray& rows) {
  return t.defined() ? Tensor(core::index_select(t.data(), 0, rows)) : t;
}

// The decoder's layer states and last attention weights of B hypotheses, and the memory of the
// B_src sources given to start(): `source` as encoded, `memory` gathered for the hypotheses (the
// same arrays while each hypothesis reads its own source row).
class AttentionDecoderState : public DecoderState {
 public:
  AttentionDecoderState(Memory memory, LayerStates layers)
      : source_(memory),
        memory_(std::move(memory)),
        layers_(std::move(layers)),
        rows_(source_.values.size(0)) {}

  void select(const IndexArray& rows) override {
    if (rows_.select(kTag, rows)) {
      const IndexArray index = rows_.index();
      memory_ = {rows_of(source_.values, index), rows_of(source_.keys, index),
                 rows_of(source_.mask, index)};
    }
    for (nn::RecurrentState& s : layers_) s = {rows_of(s.h, rows), rows_of(s.c, rows)};
    weights_ = rows_of(weights_, rows);
  }
  NDArray last_attention() const override {
    return weights_.defined() ? weights_.data() : NDArray();
  }

  int64_t batch() const { return rows_.size(); }
  const Memory& memory() const { return memory_; }
  LayerStates& layers() { return layers_; }
  void set_weights(Tensor weights) { weights_ = std::move(weights); }

 private:
  Memory source_, memory_;
  LayerStates layers_;
  Tensor weights_;  // (B, S) of the last step
  SourceRows rows_;
};

// ids (B, T) -> (T, B), so that each step's embeddings are one contiguous block.
IndexArray time_major(const IndexArray& ids) {
  const int64_t batch = ids.size(0), len = ids.size(1);
  std::vector<int64_t> out(static_cast<size_t>(batch * len));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < len; ++t) out[static_cast<size_t>(t * batch + b)] = ids[b * len + t];
  return IndexArray(std::move(out), {len, batch});
}

}  // namespace

std::shared_ptr<nn::Attention> make_attention(const ModelConfig& config) {
  const int64_t H = config.hidden_size;
  switch (config.attention) {
    case AttentionScore::kDot:
      return std::make_shared<nn::DotAttention>();
    case AttentionScore::kScaledDot:
      return std::make_shared<nn::ScaledDotAttention>();
    case AttentionScore::kGeneral:
      return std::make_shared<nn::GeneralAttention>(H, H);
    case AttentionScore::kAdditive:
      break;
  }
  return std::make_shared<nn::AdditiveAttention>(H, H, config.effective_attention_dim());
}

RnnAttentionSeq2Seq::RnnAttentionSeq2Seq(const ModelConfig& config) : config_(config) {
  validate(config);
  EMBER_CHECK(config.architecture == Architecture::kRnnAttention,
              "[{}] needs architecture rnn_attention, got {}", kTag,
              to_string(config.architecture));
  const int64_t E = config.embedding_dim, H = config.hidden_size, L = config.decoder_layers;
  src_embed_ = register_module("src_embed",
                               std::make_shared<nn::Embedding>(config.src_vocab_size, E, kPadId));
  tgt_embed_ = register_module("tgt_embed",
                               std::make_shared<nn::Embedding>(config.tgt_vocab_size, E, kPadId));
  encoder_ = register_module(
      "encoder", std::make_shared<nn::RecurrentLayer>(
                     config.cell, nn::RecurrentOptions{.input_size = E,
                                                       .hidden_size = H / 2,
                                                       .num_layers = config.encoder_layers,
                                                       .bidirectional = true,
                                                       .dropout = config.dropout}));
  bridge_ = register_module("bridge", std::make_shared<nn::Linear>(H, L * H));
  attention_ = register_module("attention", make_attention(config));
  cells_ = register_module("cells", std::make_shared<nn::ModuleList<nn::RecurrentCell>>());
  for (int64_t l = 0; l < L; ++l)
    cells_->push_back(std::make_shared<nn::RecurrentCell>(config.cell, l == 0 ? E + H : H, H));
  out_ = register_module("out", std::make_shared<nn::Linear>(2 * H + E, config.tgt_vocab_size));
  dropout_ = register_module("dropout", std::make_shared<nn::Dropout>(config.dropout));
}

std::pair<Memory, LayerStates> RnnAttentionSeq2Seq::encode(
    const IndexArray& src, const std::vector<int64_t>& lengths) const {
  const Tensor x = dropout_->forward(src_embed_->forward(src));
  const nn::RecurrentOutput enc = encoder_->forward(x, {}, lengths);
  Memory memory{enc.output, attention_->precompute_keys(enc.output),
                source_padding_mask(lengths, src.size(1))};
  // s_0 = tanh(W_b [h_fwd; h_bwd] + b_b) from the top layer's two directions.
  const int64_t top = 2 * (config_.encoder_layers - 1), H = config_.hidden_size;
  const Tensor last = cat({select(enc.h_n, 0, top), select(enc.h_n, 0, top + 1)}, 1);
  const Tensor init = tanh(bridge_->forward(last));  // (B, L*H)
  LayerStates layers(cells_->size());
  for (size_t l = 0; l < layers.size(); ++l)
    layers[l].h =
        layers.size() == 1 ? init : contiguous(narrow(init, 1, static_cast<int64_t>(l) * H, H));
  return {memory, layers};
}

nn::AttentionOutput RnnAttentionSeq2Seq::decode_step(const Tensor& e, const Memory& memory,
                                                     LayerStates& layers) const {
  nn::AttentionOutput att =
      attention_->attend(layers.back().h, memory.keys, memory.values, memory.mask);
  Tensor x = cat({e, att.context}, 1);  // (B, E + H)
  for (size_t l = 0; l < layers.size(); ++l) {
    if (l > 0) x = dropout_->forward(x);
    layers[l] = (*cells_)[l].forward(x, layers[l]);
    x = layers[l].h;
  }
  return att;
}

Tensor RnnAttentionSeq2Seq::readout(const Batch& batch) const {
  check_source(kTag, batch.source, batch.source_lengths);
  check_target(kTag, batch.source, batch.target_input);
  auto [memory, layers] = encode(batch.source, batch.source_lengths);
  const int64_t T = batch.target_input.size(1);
  const Tensor emb =
      dropout_->forward(tgt_embed_->forward(time_major(batch.target_input)));  // (T, B, E)
  std::vector<Tensor> states, contexts;
  for (int64_t t = 0; t < T; ++t) {
    const nn::AttentionOutput att = decode_step(select(emb, 0, t), memory, layers);
    states.push_back(layers.back().h);
    contexts.push_back(att.context);
  }
  // One readout GEMM over all positions: [s; c; e] (B, T, 2H + E) -> (B, T, V).
  return dropout_->forward(cat({stack(states, 1), stack(contexts, 1), transpose(emb, 0, 1)}, 2));
}

Tensor RnnAttentionSeq2Seq::forward(const Batch& batch) { return out_->forward(readout(batch)); }

Tensor RnnAttentionSeq2Seq::loss(const Batch& batch, const CrossEntropyOptions& options) {
  return linear_cross_entropy(readout(batch), out_->weight(), out_->bias(), batch.target_output,
                              options);
}

std::unique_ptr<DecoderState> RnnAttentionSeq2Seq::start(const IndexArray& src,
                                                         const std::vector<int64_t>& src_lengths) {
  check_source(kTag, src, src_lengths);
  NoGradGuard no_grad;
  auto [memory, layers] = encode(src, src_lengths);
  return std::make_unique<AttentionDecoderState>(std::move(memory), std::move(layers));
}

Tensor RnnAttentionSeq2Seq::step(const IndexArray& tokens, DecoderState& state) {
  auto* s = dynamic_cast<AttentionDecoderState*>(&state);
  EMBER_CHECK(s != nullptr, "[{}] step needs a state made by this model's start()", kTag);
  check_step_tokens(kTag, tokens, s->batch());
  NoGradGuard no_grad;
  const Tensor e = dropout_->forward(tgt_embed_->forward(tokens));  // (B, E)
  const nn::AttentionOutput att = decode_step(e, s->memory(), s->layers());
  s->set_weights(att.weights);
  const Tensor logits =
      out_->forward(dropout_->forward(cat({s->layers().back().h, att.context, e}, 1)));
  return log_softmax(logits, -1);
}

}  // namespace ember::seq2seq
