// W1 and W4 on ember's Transformer encoder-decoder (seq2seq::TransformerSeq2Seq, made by
// seq2seq::make_model): d_model 256, 4 heads, feed-forward 1024, 3 + 3 pre-norm layers with a
// final LayerNorm after each stack, dropout 0.1, ReLU, embeddings N(0, 1/d) scaled by sqrt(d)
// plus sinusoids, output projection tied to the target embedding, causal decoder mask — the
// model of bench/libtorch/transformer.h, batch-first: ids (B, L), activations (B, L, d).
#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/nn.h"
#include "common/bench.h"
#include "common/workloads.h"
#include "ember/core/reduce.h"
#include "ember/gradient_step.h"
#include "ember/runners.h"
#include "ember/optim/adam.h"
#include "ember/seq2seq/models/factory.h"

namespace bench::ember_side {

namespace {

using ember::IndexArray;
using ember::Tensor;
namespace s2s = ember::seq2seq;

std::shared_ptr<s2s::Seq2SeqModel> make_transformer() {
  s2s::ModelConfig config;
  config.architecture = s2s::Architecture::kTransformer;
  config.src_vocab_size = kVocab;
  config.tgt_vocab_size = kVocab;
  config.hidden_size = kModel;
  config.num_heads = kHeads;
  config.feedforward_dim = kFeedForward;
  config.encoder_layers = kLayers;
  config.decoder_layers = kLayers;
  config.max_positions = 64;  // as the libtorch side's sinusoid table
  config.dropout = static_cast<float>(kDropout);
  config.norm_first = true;
  config.tie_embeddings = true;
  return s2s::make_model(config);
}

// Columns [start, start + length) of ids (B, L) -> (B, length).
IndexArray columns(const IndexArray& ids, int64_t start, int64_t length) {
  const int64_t rows = ids.size(0), cols = ids.size(1);
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(rows * length));
  for (int64_t b = 0; b < rows; ++b)
    for (int64_t t = start; t < start + length; ++t) out.push_back(ids[b * cols + t]);
  return IndexArray(std::move(out), {rows, length});
}

}  // namespace

// W1: full training steps (forward, label-smoothed cross-entropy, backward, Adam) on one batch of
// random ids; gradients are dropped (set to none) before each step, as on the libtorch side.
void run_w1(const Args& args, GradientMode mode) {
  const auto model = make_transformer();
  model->train();
  GradientStep gradients(*model, mode);
  const int64_t rows = gradients.batch_rows();
  ember::optim::Adam adam(model->parameters(), {.lr = static_cast<float>(kLearningRate)});
  const IndexArray src = random_ids(rows, kSrcLen);
  const IndexArray tgt = random_ids(rows, kTgtLen + 1);
  s2s::Batch batch;  // every source of full length kSrcLen
  batch.source = src;
  batch.target_input = columns(tgt, 0, kTgtLen);
  batch.target_output = columns(tgt, 1, kTgtLen);
  batch.source_lengths = std::vector<int64_t>(rows, kSrcLen);
  const ember::CrossEntropyOptions loss_options{.label_smoothing =
                                                    static_cast<float>(kLabelSmoothing)};
  const auto step = [&] {
    adam.zero_grad();
    // The model's loss() is linear_cross_entropy over the decoder's output: the same value and
    // gradients as cross_entropy of forward()'s logits, without holding the (B, T, V) logits.
    gradients.backward(model->loss(batch, loss_options));
    adam.step();
  };
  const auto seconds = time_reps(args.warmup, args.reps, step);
  gradients.print(args.workload, args, seconds, w1_flops_per_step());
}

// W4: greedy decoding with the key/value cache of model.start/step, the model in eval mode:
// exactly kDecodeSteps tokens per sequence (no end-of-sequence stop). Generated tokens/s of whole
// decodes (encoder, cache set-up and the steps). With int8, the model's weight products run on
// int8 weights (Module::quantize_int8, docs/performance.md "int8 decoding"): w4kv_b*_int8.
void run_w4(const Args& args, int64_t batch, bool int8) {
  const auto model = make_transformer();
  model->eval();
  if (int8) model->quantize_int8();
  ember::NoGradGuard no_grad;
  const IndexArray src = random_ids(batch, kSrcLen);
  const std::vector<int64_t> lengths(static_cast<size_t>(batch), kSrcLen);
  const auto decode = [&] {
    const auto state = model->start(src, lengths);
    IndexArray tokens(std::vector<int64_t>(static_cast<size_t>(batch), kBos));
    for (int t = 0; t < kDecodeSteps; ++t) {
      tokens = ember::core::argmax(model->step(tokens, *state).data(), -1);  // (B)
    }
  };
  const auto seconds = time_reps(args.warmup, args.reps, decode);
  print_rate("ember", args, "w4kv_b" + std::to_string(batch) + (int8 ? "_int8" : ""), "tokens/s",
             seconds,
             static_cast<double>(batch * kDecodeSteps));
}

}  // namespace bench::ember_side
