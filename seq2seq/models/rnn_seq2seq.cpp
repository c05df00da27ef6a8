#include "ember/seq2seq/models/rnn_seq2seq.h"

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/seq2seq/data/vocab.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kTag = "rnn_seq2seq";

// The decoder's hidden (and cell) state of B hypotheses: (L, B, H) each.
class RnnDecoderState : public DecoderState {
 public:
  explicit RnnDecoderState(nn::RecurrentState state)
      : state_(std::move(state)), rows_(state_.h.size(1)) {}

  void select(const IndexArray& rows) override {
    rows_.select(kTag, rows);  // checks the rows
    state_.h = Tensor(core::index_select(state_.h.data(), 1, rows));
    if (state_.c.defined()) state_.c = Tensor(core::index_select(state_.c.data(), 1, rows));
  }

  int64_t batch() const { return state_.h.size(1); }
  nn::RecurrentState state_;

 private:
  SourceRows rows_;
};

}  // namespace

RnnSeq2Seq::RnnSeq2Seq(const ModelConfig& config) : config_(config) {
  validate(config);
  EMBER_CHECK(config.architecture == Architecture::kRnn, "[{}] needs architecture rnn, got {}",
              kTag, to_string(config.architecture));
  const int64_t E = config.embedding_dim, H = config.hidden_size;
  src_embed_ = register_module("src_embed",
                               std::make_shared<nn::Embedding>(config.src_vocab_size, E, kPadId));
  tgt_embed_ = register_module("tgt_embed",
                               std::make_shared<nn::Embedding>(config.tgt_vocab_size, E, kPadId));
  const nn::RecurrentOptions options{.input_size = E,
                                     .hidden_size = H,
                                     .num_layers = config.encoder_layers,
                                     .dropout = config.dropout};
  encoder_ = register_module("encoder", std::make_shared<nn::RecurrentLayer>(config.cell, options));
  decoder_ = register_module("decoder", std::make_shared<nn::RecurrentLayer>(config.cell, options));
  out_ = register_module("out", std::make_shared<nn::Linear>(H, config.tgt_vocab_size));
  dropout_ = register_module("dropout", std::make_shared<nn::Dropout>(config.dropout));
}

nn::RecurrentOutput RnnSeq2Seq::encode(const IndexArray& src,
                                       const std::vector<int64_t>& src_lengths) const {
  const Tensor x = dropout_->forward(src_embed_->forward(src));
  return encoder_->forward(x, {}, src_lengths);
}

Tensor RnnSeq2Seq::decode(const Batch& batch) const {
  check_source(kTag, batch.source, batch.source_lengths);
  check_target(kTag, batch.source, batch.target_input);
  const nn::RecurrentOutput enc = encode(batch.source, batch.source_lengths);
  const Tensor y = dropout_->forward(tgt_embed_->forward(batch.target_input));
  const nn::RecurrentOutput dec = decoder_->forward(y, {enc.h_n, enc.c_n});
  return dropout_->forward(dec.output);
}

Tensor RnnSeq2Seq::forward(const Batch& batch) { return out_->forward(decode(batch)); }

Tensor RnnSeq2Seq::loss(const Batch& batch, const CrossEntropyOptions& options) {
  return linear_cross_entropy(decode(batch), out_->weight(), out_->bias(), batch.target_output,
                              options);
}

std::unique_ptr<DecoderState> RnnSeq2Seq::start(const IndexArray& src,
                                                const std::vector<int64_t>& src_lengths) {
  check_source(kTag, src, src_lengths);
  NoGradGuard no_grad;
  const nn::RecurrentOutput enc = encode(src, src_lengths);
  return std::make_unique<RnnDecoderState>(nn::RecurrentState{enc.h_n, enc.c_n});
}

Tensor RnnSeq2Seq::step(const IndexArray& tokens, DecoderState& state) {
  auto* s = dynamic_cast<RnnDecoderState*>(&state);
  EMBER_CHECK(s != nullptr, "[{}] step needs a state made by this model's start()", kTag);
  const int64_t batch = s->batch();
  check_step_tokens(kTag, tokens, batch);
  NoGradGuard no_grad;
  const Tensor x = dropout_->forward(tgt_embed_->forward(tokens.reshape({batch, 1})));
  const nn::RecurrentOutput dec = decoder_->forward(x, s->state_);
  s->state_ = {dec.h_n, dec.c_n};
  const Tensor logits = out_->forward(dropout_->forward(dec.output)).reshape({batch, -1});
  return log_softmax(logits, -1);
}

}  // namespace ember::seq2seq
