// RNN / GRU / LSTM encoder-decoder without attention (Sutskever et al., 2014): the encoder reads
// the source, and its final state — of every layer — is all the decoder knows of it.
//   src (B, S) -> src_embed (B, S, E) -> encoder (L layers, H; runs to each row's length)
//              -> h_n, c_n (L, B, H)
//   tgt_in (B, T) -> tgt_embed (B, T, E) -> decoder (L layers, H, initial state h_n, c_n)
//              -> (B, T, H) -> out -> logits (B, T, V)
// Dropout (config.dropout) on the embeddings, between stacked layers and before `out`.
// Submodules: src_embed, tgt_embed, encoder, decoder (nn::RecurrentLayer of config.cell, torch's
// parameter names), out (Linear H -> V). Embeddings have padding_idx <pad> = 0.
// The source is read left to right (Sutskever et al. reversed it; with lengths it is not needed
// for correctness, and the attention models are the ones meant for quality).
//
// Incremental decoding: the state is the decoder's (L, B, H) hidden state (and cell state); a
// step runs the decoder over one position from it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/layers/dropout.h"
#include "ember/layers/embedding.h"
#include "ember/layers/linear.h"
#include "ember/layers/rnn.h"
#include "ember/seq2seq/models/config.h"
#include "ember/seq2seq/models/model.h"

namespace ember::seq2seq {

class RnnSeq2Seq : public Seq2SeqModel {
 public:
  // config.architecture must be kRnn; validate(config) must pass.
  explicit RnnSeq2Seq(const ModelConfig& config);

  Tensor forward(const Batch& batch) override;
  Tensor loss(const Batch& batch, const CrossEntropyOptions& options) override;
  std::unique_ptr<DecoderState> start(const IndexArray& src,
                                      const std::vector<int64_t>& src_lengths) override;
  Tensor step(const IndexArray& tokens, DecoderState& state) override;
  std::string describe() const override { return summary(config_); }

  const ModelConfig& config() const { return config_; }

 private:
  // The encoder's final states h_n, c_n (L, B, H) (inputs already checked).
  nn::RecurrentOutput encode(const IndexArray& src, const std::vector<int64_t>& src_lengths) const;
  // Teacher forcing up to the output layer: its input (B, T, H).
  Tensor decode(const Batch& batch) const;

  ModelConfig config_;
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_;
  std::shared_ptr<nn::RecurrentLayer> encoder_, decoder_;
  std::shared_ptr<nn::Linear> out_;
  std::shared_ptr<nn::Dropout> dropout_;
};

}  // namespace ember::seq2seq
