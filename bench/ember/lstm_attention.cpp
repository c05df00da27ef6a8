// W2: an LSTM encoder-decoder with additive attention (Bahdanau et al. 2015), composed from
// ember's layers exactly as bench/libtorch/lstm_attention.cpp (seq2seq::RnnAttentionSeq2Seq has a
// bridge, a deep output and dropout, so it is not this model). Encoder: bidirectional 1-layer
// LSTM over source embeddings (batch-first). Decoder: an LSTM cell with zero initial state,
// stepped over the T target positions with teacher forcing; at step t
//   e_tj = v^T tanh(W_q h_{t-1} + W_k m_j + b_k)      (query = previous decoder state)
//   c_t = sum_j softmax_j(e_tj) m_j                     (m: encoder outputs, 2 * He wide)
//   h_t, c_t' = LSTMCell([embed(y_{t-1}); c_t], (h_{t-1}, c_{t-1}'))
// and logits = W_o h_t + b_o over all T states after the loop, fused with the loss
// (linear_cross_entropy: the same value and gradients, without holding the (T, B, V) logits).
#include "ember/autograd/ops/attention.h"
#include "ember/autograd/ops/linear_algebra.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/shape.h"
#include "common/bench.h"
#include "common/workloads.h"
#include "ember/gradient_step.h"
#include "ember/runners.h"
#include "ember/layers/attention.h"
#include "ember/layers/embedding.h"
#include "ember/layers/linear.h"
#include "ember/layers/recurrent_cells.h"
#include "ember/layers/rnn.h"
#include "ember/optim/adam.h"

namespace bench::ember_side {

namespace {

using ember::IndexArray;
using ember::Tensor;
namespace nn = ember::nn;

class LstmAttention : public nn::Module {
 public:
  LstmAttention()
      : src_embed_(register_module("src_embed", std::make_shared<nn::Embedding>(kVocab, kEmbed))),
        tgt_embed_(register_module("tgt_embed", std::make_shared<nn::Embedding>(kVocab, kEmbed))),
        encoder_(register_module(
            "encoder",
            std::make_shared<nn::LSTM>(nn::RecurrentOptions{
                .input_size = kEmbed, .hidden_size = kEncHidden, .bidirectional = true}))),
        cell_(register_module("cell",
                              std::make_shared<nn::LSTMCell>(kEmbed + 2 * kEncHidden, kDecHidden))),
        query_(register_module("query", std::make_shared<nn::Linear>(kDecHidden, kAttnDim, false))),
        key_(register_module("key", std::make_shared<nn::Linear>(2 * kEncHidden, kAttnDim))),
        score_(register_module("score", std::make_shared<nn::Linear>(kAttnDim, 1, false))),
        out_(register_module("out", std::make_shared<nn::Linear>(kDecHidden, kVocab))) {}

  // src: (B, S) ids  tgt: (T, B) ids, labels (T, B) -> the mean label-smoothed cross-entropy
  Tensor loss(const IndexArray& src, const IndexArray& tgt, const IndexArray& labels,
              const ember::CrossEntropyOptions& options) const {
    const Tensor memory = encoder_->forward(src_embed_->forward(src)).output;  // (B, S, 2He)
    const Tensor keys = key_->forward(memory);                                 // (B, S, A)
    const Tensor v = score_->weight().reshape({kAttnDim});
    const Tensor embedded = tgt_embed_->forward(tgt);  // (T, B, Eb)
    const int64_t batch = src.size(0);
    nn::RecurrentState state{Tensor::zeros({batch, kDecHidden}),
                             Tensor::zeros({batch, kDecHidden})};
    std::vector<Tensor> states;
    for (int64_t t = 0; t < tgt.size(0); ++t) {
      const Tensor e = ember::additive_scores(query_->forward(state.h), keys, v);  // (B, S)
      const Tensor alpha = ember::softmax(e, 1);
      const Tensor context =
          ember::squeeze(ember::matmul(ember::unsqueeze(alpha, 1), memory), 1);  // (B, 2He)
      state = cell_->forward(ember::cat({ember::select(embedded, 0, t), context}, 1), state);
      states.push_back(state.h);
    }
    return ember::linear_cross_entropy(ember::stack(states, 0), out_->weight(), out_->bias(),
                                       labels, options);
  }

 private:
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_;
  std::shared_ptr<nn::LSTM> encoder_;
  std::shared_ptr<nn::LSTMCell> cell_;
  std::shared_ptr<nn::Linear> query_, key_, score_, out_;
};

}  // namespace

// W2: full training steps, as W1.
void run_w2(const Args& args, GradientMode mode) {
  LstmAttention model;
  model.train();
  GradientStep gradients(model, mode);
  const int64_t rows = gradients.batch_rows();
  ember::optim::Adam adam(model.parameters(), {.lr = static_cast<float>(kLearningRate)});
  const IndexArray src = random_ids(rows, kSrcLen);
  const IndexArray tgt = random_ids(kTgtLen + 1, rows);  // time-major, as the libtorch side
  std::vector<int64_t> in(static_cast<size_t>(kTgtLen * rows));
  std::vector<int64_t> out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = tgt[static_cast<int64_t>(i)];
    out[i] = tgt[static_cast<int64_t>(i) + rows];
  }
  const IndexArray tgt_in(std::move(in), {kTgtLen, rows});
  const IndexArray labels(std::move(out), {kTgtLen, rows});
  const ember::CrossEntropyOptions loss_options{.label_smoothing =
                                                    static_cast<float>(kLabelSmoothing)};
  const auto step = [&] {
    adam.zero_grad();
    gradients.backward(model.loss(src, tgt_in, labels, loss_options));
    adam.step();
  };
  const auto seconds = time_reps(args.warmup, args.reps, step);
  gradients.print(args.workload, args, seconds, w2_flops_per_step());
}

}  // namespace bench::ember_side
