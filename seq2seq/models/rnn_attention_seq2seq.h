// RNN / GRU / LSTM encoder-decoder with attention, Bahdanau-style (Bahdanau et al., 2015; the
// bidirectional GRU with masked attention of the PyTorch seq2seq tutorials):
//   encoder   m_1..m_S = bidirectional RNN over src_embed(src), H/2 per direction, run to each
//             row's length: outputs (B, S, H), 0 at padding
//   bridge    s_0 = tanh(W_b [h_fwd; h_bwd] + b_b), split into the L decoder layers' initial
//             states (h_fwd, h_bwd: the top encoder layer's final states; LSTM cells start at 0)
//   step t    (alpha_t, c_t) = attention(s_{t-1}^top, m, mask)   score dot | scaled_dot |
//             general | additive (layers/attention.h); padded source positions get weight 0
//             s_t^1 = cell_1([e_t; c_t], s_{t-1}^1), s_t^l = cell_l(dropout(s_t^{l-1}), s_{t-1}^l)
//             logits_t = out(dropout([s_t^top; c_t; e_t]))   e_t = tgt_embed(y_{t-1})
//             (the deep output of Bahdanau et al.'s appendix A.2.2 as the PyTorch tutorials
//             write it: from the new state s_t, without the maxout)
// The query is the previous state (Bahdanau), not the new one (Luong), so the context can feed
// the cell's input at the same step.
// Shapes: B batch, S source length, T target length, E embedding_dim, H hidden_size, V target
// vocabulary, L decoder_layers.
// Submodules: src_embed, tgt_embed (padding_idx 0), encoder (nn::RecurrentLayer of config.cell,
// bidirectional), bridge (Linear H -> L*H), attention, cells.0 .. cells.{L-1} (nn::RecurrentCell
// of config.cell, cell 0 of input E + H), out (Linear 2H + E -> V), dropout.
//
// Teacher forcing steps the decoder over T positions (each query depends on the previous state);
// the keys' projection is done once per batch (Attention::precompute_keys) and the readout is one
// GEMM over all positions. Incremental decoding keeps the layer states and the encoder outputs.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/layers/attention.h"
#include "ember/layers/dropout.h"
#include "ember/layers/embedding.h"
#include "ember/layers/linear.h"
#include "ember/layers/recurrent_cells.h"
#include "ember/layers/rnn.h"
#include "ember/seq2seq/models/config.h"
#include "ember/seq2seq/models/model.h"

namespace ember::seq2seq {

// The score function of `config.attention` for queries and keys of width hidden_size.
std::shared_ptr<nn::Attention> make_attention(const ModelConfig& config);

class RnnAttentionSeq2Seq : public Seq2SeqModel {
 public:
  // config.architecture must be kRnnAttention; validate(config) must pass.
  explicit RnnAttentionSeq2Seq(const ModelConfig& config);

  Tensor forward(const Batch& batch) override;
  Tensor loss(const Batch& batch, const CrossEntropyOptions& options) override;
  std::unique_ptr<DecoderState> start(const IndexArray& src,
                                      const std::vector<int64_t>& src_lengths) override;
  Tensor step(const IndexArray& tokens, DecoderState& state) override;
  std::string describe() const override { return summary(config_); }

  const ModelConfig& config() const { return config_; }

  // What the decoder attends over: encoder outputs m (B, S, H) as values, their precomputed keys,
  // and the padding mask (B, S) (undefined without padding).
  struct Memory {
    Tensor values, keys, mask;
  };
  // The decoder's state: one nn::RecurrentState per layer, h and c (B, H) (c for LSTM cells only,
  // undefined = zeros).
  using LayerStates = std::vector<nn::RecurrentState>;

 private:
  // Encodes (inputs checked) -> the memory and the decoder's initial layer states.
  std::pair<Memory, LayerStates> encode(const IndexArray& src,
                                        const std::vector<int64_t>& lengths) const;
  // One decoder step from the embedding e (B, E) of the previous tokens: advances `layers` and
  // returns the attention's context (B, H) and weights (B, S).
  nn::AttentionOutput decode_step(const Tensor& e, const Memory& memory, LayerStates& layers) const;
  // Teacher forcing up to the output layer: its input, dropout([s; c; e]) (B, T, 2H + E).
  Tensor readout(const Batch& batch) const;

  ModelConfig config_;
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_;
  std::shared_ptr<nn::RecurrentLayer> encoder_;
  std::shared_ptr<nn::Linear> bridge_;
  std::shared_ptr<nn::Attention> attention_;
  std::shared_ptr<nn::ModuleList<nn::RecurrentCell>> cells_;
  std::shared_ptr<nn::Linear> out_;
  std::shared_ptr<nn::Dropout> dropout_;
};

}  // namespace ember::seq2seq
