// W2: an LSTM encoder-decoder with additive attention (Bahdanau et al. 2015) in libtorch.
// Encoder: bidirectional 1-layer LSTM over source embeddings. Decoder: an LSTM cell with zero
// initial state, stepped over the T target positions with teacher forcing; at step t
//   e_tj = v^T tanh(W_q h_{t-1} + W_k m_j + b_k)      (query = previous decoder state)
//   c_t = sum_j softmax_j(e_tj) m_j                     (m: encoder outputs, 2 * He wide)
//   h_t, c_t' = LSTMCell([embed(y_{t-1}); c_t], (h_{t-1}, c_{t-1}'))
// and logits = W_o h_t + b_o, applied to all T states in one product after the loop.
#include <torch/torch.h>

#include "common/bench.h"
#include "common/workloads.h"
#include "libtorch/runners.h"

namespace bench::libtorch {

namespace F = torch::nn::functional;

namespace {

struct LstmAttentionImpl : torch::nn::Module {
  LstmAttentionImpl()
      : src_embed(register_module("src_embed", torch::nn::Embedding(kVocab, kEmbed))),
        tgt_embed(register_module("tgt_embed", torch::nn::Embedding(kVocab, kEmbed))),
        encoder(register_module(
            "encoder",
            torch::nn::LSTM(torch::nn::LSTMOptions(kEmbed, kEncHidden).bidirectional(true)))),
        cell(register_module("cell", torch::nn::LSTMCell(kEmbed + 2 * kEncHidden, kDecHidden))),
        query(register_module(
            "query",
            torch::nn::Linear(torch::nn::LinearOptions(kDecHidden, kAttnDim).bias(false)))),
        key(register_module("key", torch::nn::Linear(2 * kEncHidden, kAttnDim))),
        score(register_module(
            "score", torch::nn::Linear(torch::nn::LinearOptions(kAttnDim, 1).bias(false)))),
        out(register_module("out", torch::nn::Linear(kDecHidden, kVocab))) {}

  // src: (S, B) ids  tgt: (T, B) ids -> logits (T, B, V)
  torch::Tensor forward(const torch::Tensor& src, const torch::Tensor& tgt) {
    const auto memory = std::get<0>(encoder(src_embed(src)));  // (S, B, 2He)
    const auto keys = key(memory);                             // (S, B, A)
    const auto memory_b = memory.transpose(0, 1);              // (B, S, 2He)
    const auto embedded = tgt_embed(tgt);                      // (T, B, Eb)
    const int64_t batch = src.size(1);
    auto h = torch::zeros({batch, kDecHidden});
    auto c = torch::zeros({batch, kDecHidden});
    std::vector<torch::Tensor> states;
    for (int64_t t = 0; t < tgt.size(0); ++t) {
      const auto e = score(torch::tanh(keys + query(h))).squeeze(2);  // (S, B)
      const auto alpha = torch::softmax(e, 0).t().unsqueeze(1);       // (B, 1, S)
      const auto context = torch::bmm(alpha, memory_b).squeeze(1);    // (B, 2He)
      std::tie(h, c) = cell(torch::cat({embedded[t], context}, 1), std::make_tuple(h, c));
      states.push_back(h);
    }
    return out(torch::stack(states, 0));
  }

  torch::nn::Embedding src_embed{nullptr}, tgt_embed{nullptr};
  torch::nn::LSTM encoder{nullptr};
  torch::nn::LSTMCell cell{nullptr};
  torch::nn::Linear query{nullptr}, key{nullptr}, score{nullptr}, out{nullptr};
};
TORCH_MODULE(LstmAttention);

}  // namespace

// W2: full training steps, as W1.
void run_w2(const Args& args) {
  LstmAttention model;
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
    const auto loss = F::cross_entropy(model(src, tgt_in).reshape({-1, kVocab}), labels, loss_options);
    loss.backward();
    adam.step();
  };
  const auto seconds = time_reps(args.warmup, args.reps, step);
  print_training_results("libtorch", "w2", args, seconds, double{kBatch} * kTgtLen,
                         w2_flops_per_step());
}

}  // namespace bench::libtorch
