#include "libtorch/transformer.h"

#include <cmath>

#include "common/bench.h"
#include "common/workloads.h"
#include "libtorch/runners.h"

namespace bench::libtorch {

namespace F = torch::nn::functional;

namespace {

constexpr int64_t kMaxPositions = 64;

torch::nn::MultiheadAttention make_attention() {
  return torch::nn::MultiheadAttention(
      torch::nn::MultiheadAttentionOptions(kModel, kHeads).dropout(kDropout));
}

torch::nn::LayerNorm make_norm() {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({kModel}));
}

// pe[p, 2i] = sin(p / 10000^(2i/E)), pe[p, 2i+1] = cos(p / 10000^(2i/E))  (Vaswani et al. 3.5)
// -> (P, 1, E)
torch::Tensor sinusoids(int64_t positions, int64_t width) {
  const auto p = torch::arange(positions, torch::kFloat).unsqueeze(1);
  const auto rate =
      torch::exp(torch::arange(0, width, 2, torch::kFloat) * (-std::log(10000.0) / width));
  auto pe = torch::zeros({positions, width});
  pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, width, 2)},
                torch::sin(p * rate));
  pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, width, 2)},
                torch::cos(p * rate));
  return pe.unsqueeze(1);
}

// -inf above the diagonal: position t attends to positions <= t.  -> (T, T)
torch::Tensor causal_mask(int64_t length) {
  return torch::triu(torch::full({length, length}, -INFINITY), 1);
}

}  // namespace

EncoderLayerImpl::EncoderLayerImpl()
    : self_attn(register_module("self_attn", make_attention())),
      linear1(register_module("linear1", torch::nn::Linear(kModel, kFeedForward))),
      linear2(register_module("linear2", torch::nn::Linear(kFeedForward, kModel))),
      norm1(register_module("norm1", make_norm())),
      norm2(register_module("norm2", make_norm())),
      dropout(register_module("dropout", torch::nn::Dropout(kDropout))),
      dropout1(register_module("dropout1", torch::nn::Dropout(kDropout))),
      dropout2(register_module("dropout2", torch::nn::Dropout(kDropout))) {}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x) {
  const auto h = norm1(x);
  auto y = x + dropout1(std::get<0>(self_attn->forward(h, h, h, {}, false)));
  return y + dropout2(linear2(dropout(torch::relu(linear1(norm2(y))))));
}

DecoderLayerImpl::DecoderLayerImpl()
    : self_attn(register_module("self_attn", make_attention())),
      multihead_attn(register_module("multihead_attn", make_attention())),
      linear1(register_module("linear1", torch::nn::Linear(kModel, kFeedForward))),
      linear2(register_module("linear2", torch::nn::Linear(kFeedForward, kModel))),
      norm1(register_module("norm1", make_norm())),
      norm2(register_module("norm2", make_norm())),
      norm3(register_module("norm3", make_norm())),
      dropout(register_module("dropout", torch::nn::Dropout(kDropout))),
      dropout1(register_module("dropout1", torch::nn::Dropout(kDropout))),
      dropout2(register_module("dropout2", torch::nn::Dropout(kDropout))),
      dropout3(register_module("dropout3", torch::nn::Dropout(kDropout))) {}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& memory,
                                        const torch::Tensor& causal_mask) {
  const auto h = norm1(x);
  auto y = x + dropout1(std::get<0>(self_attn->forward(h, h, h, {}, false, causal_mask)));
  y = y + dropout2(std::get<0>(multihead_attn->forward(norm2(y), memory, memory, {}, false)));
  return y + dropout3(linear2(dropout(torch::relu(linear1(norm3(y))))));
}

TransformerImpl::TransformerImpl()
    : src_embed(register_module("src_embed", torch::nn::Embedding(kVocab, kModel))),
      tgt_embed(register_module("tgt_embed", torch::nn::Embedding(kVocab, kModel))),
      encoder_norm(register_module("encoder_norm", make_norm())),
      decoder_norm(register_module("decoder_norm", make_norm())),
      dropout(register_module("dropout", torch::nn::Dropout(kDropout))),
      positions(register_buffer("positions", sinusoids(kMaxPositions, kModel))) {
  // N(0, 1/E) embeddings (as fairseq's for scaled, tied embeddings): logits start near zero.
  torch::nn::init::normal_(src_embed->weight, 0.0, 1.0 / std::sqrt(double{kModel}));
  torch::nn::init::normal_(tgt_embed->weight, 0.0, 1.0 / std::sqrt(double{kModel}));
  // Registered through ModuleLists for torch's parameter names (encoder_layers.0.self_attn...).
  auto encoders = register_module("encoder_layers", torch::nn::ModuleList());
  auto decoders = register_module("decoder_layers", torch::nn::ModuleList());
  for (int i = 0; i < kLayers; ++i) {
    encoder_layers.push_back(EncoderLayer());
    decoder_layers.push_back(DecoderLayer());
    encoders->push_back(encoder_layers.back());
    decoders->push_back(decoder_layers.back());
  }
}

torch::Tensor TransformerImpl::embed(torch::nn::Embedding& table, const torch::Tensor& ids,
                                     int64_t offset) {
  const double scale = std::sqrt(static_cast<double>(kModel));
  return dropout(table->forward(ids) * scale + positions.narrow(0, offset, ids.size(0)));
}

torch::Tensor TransformerImpl::encode(const torch::Tensor& src) {
  auto x = embed(src_embed, src);
  for (auto& layer : encoder_layers) x = layer(x);
  return encoder_norm(x);
}

torch::Tensor TransformerImpl::decode(const torch::Tensor& tgt, const torch::Tensor& memory) {
  const auto mask = causal_mask(tgt.size(0));
  auto x = embed(tgt_embed, tgt);
  for (auto& layer : decoder_layers) x = layer(x, memory, mask);
  return decoder_norm(x);
}

torch::Tensor TransformerImpl::logits(const torch::Tensor& x) {
  return F::linear(x, tgt_embed->weight);
}

// W1: full training steps (forward, label-smoothed cross-entropy, backward, Adam) on one batch of
// random ids; gradients are reset to undefined (set_to_none) before each step.
void run_w1(const Args& args) {
  Transformer model;
  model->train();
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(kLearningRate));
  const auto src = torch::randint(kVocab, {kSrcLen, kBatch}, torch::kLong);
  const auto tgt = torch::randint(kVocab, {kTgtLen + 1, kBatch}, torch::kLong);
  const auto tgt_in = tgt.narrow(0, 0, kTgtLen);
  const auto labels = tgt.narrow(0, 1, kTgtLen).reshape({-1});
  const auto loss_options = F::CrossEntropyFuncOptions().label_smoothing(kLabelSmoothing);
  const auto params = model->parameters();
  const auto step = [&] {
    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    const auto hidden = model->decode(tgt_in, model->encode(src));
    const auto loss =
        F::cross_entropy(model->logits(hidden).reshape({-1, kVocab}), labels, loss_options);
    loss.backward();
    adam.step();
  };
  const auto seconds = time_reps(args.warmup, args.reps, step);
  print_training_results("libtorch", "w1", args, seconds, double{kBatch} * kTgtLen,
                         w1_flops_per_step());
}

}  // namespace bench::libtorch
