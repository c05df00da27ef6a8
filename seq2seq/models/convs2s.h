// ConvS2S, the convolutional sequence-to-sequence model (Gehring et al., 2017).
// Shapes: B batch (or hypotheses), S source length, T target length, E embedding_dim,
// C hidden_size (channels), K kernel_size, V target vocabulary, L layers.
//
//   encoder  e = dropout(word(x) + pos)                                        (B, S, E)
//            h = fc1(e);  L x  h = (glu(conv_K(dropout(h))) + h) sqrt(1/2)    (B, S, C)
//              (padding zeroed before each convolution; K - 1 zeros split around the sequence)
//            z = fc2(h) (padding 0);  z + e scaled: u = (z + e) sqrt(1/2)      (B, S, E)
//   decoder  g = dropout(word(y) + pos);  h = fc1(g)                           (B, T, C)
//            L x  c = glu(causal_conv_K(dropout(h)))                           (B, T, C)
//                 attention (section 3.3):  d = (W_in c + g) sqrt(1/2)         (B, T, E)
//                   a = softmax_s(d z^T), padding masked                       (B, T, S)
//                   r = a u sqrt(m)        m = the row's source length, "m sqrt(1/m)" of the paper
//                   c = (W_out r + c) sqrt(1/2)
//                 h = (c + h) sqrt(1/2)
//            logits = fc3(dropout(fc2(h)))   (fc3 = the target embedding when tied)  (B, T, V)
// Parameter names follow fairseq's fconv: encoder.{embed_tokens, embed_positions, fc1,
// convolutions.N, fc2}, decoder.{embed_tokens, embed_positions, fc1, convolutions.N,
// attention.N.{in_projection, out_projection}, fc2, fc3}; convolution weights have torch's Conv1d
// layout (2C, C, K). Every parameter is initialised as its torch layer is (no weight
// normalisation and no encoder gradient scaling, unlike fairseq: gradients stay exact).
//
// Incremental decoding: the state keeps, per decoder layer, the last K - 1 inputs of its causal
// convolution, so a step computes one output position per layer (O(K) work, not O(t)); stepping
// through a target equals forward() on it. Attention weights of the last step: last_attention()
// is their average over the decoder layers (as fairseq reports them); ConvS2SState::
// layer_attention() gives each layer's map.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/seq2seq/models/config.h"
#include "ember/seq2seq/models/model.h"

namespace ember::seq2seq {

class ConvS2SEncoder;
class ConvS2SDecoder;

// The decoding state of a ConvS2S model (what its start() returns).
class ConvS2SState : public DecoderState {
 public:
  // (B, S) per decoder layer, of the last step; empty before the first step.
  virtual const std::vector<NDArray>& layer_attention() const = 0;
};

class ConvS2S : public Seq2SeqModel {
 public:
  // Uses embedding_dim, hidden_size, encoder_layers, decoder_layers, kernel_size,
  // max_positions, dropout, tie_embeddings and the vocabulary sizes of a validated config whose
  // architecture is convs2s ("[convs2s]" error otherwise).
  explicit ConvS2S(const ModelConfig& config);

  Tensor forward(const Batch& batch) override;
  Tensor loss(const Batch& batch, const CrossEntropyOptions& options) override;
  std::unique_ptr<DecoderState> start(const IndexArray& src,
                                      const std::vector<int64_t>& src_lengths) override;
  Tensor step(const IndexArray& tokens, DecoderState& state) override;
  std::string describe() const override;

  const ModelConfig& config() const { return config_; }

 private:
  ModelConfig config_;
  std::shared_ptr<ConvS2SEncoder> encoder_;
  std::shared_ptr<ConvS2SDecoder> decoder_;
};

std::shared_ptr<Seq2SeqModel> make_convs2s(const ModelConfig& config);

}  // namespace ember::seq2seq
