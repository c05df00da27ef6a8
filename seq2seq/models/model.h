// The one interface every encoder-decoder in ember implements, so that training, greedy and beam
// search, evaluation and the comparison lab work with any of them:
//   forward   teacher forcing on a Batch (seq2seq/data/batching.h): logits for every target
//             position at once;
//   loss      teacher forcing's cross-entropy against the batch's targets (training, validation);
//   start     encode a batch of sources and return the incremental decoding state;
//   step      one decoding step from the previous tokens, advancing the state (no re-running of
//             the decoder over the prefix: RNNs carry their hidden state, the Transformer a
//             key/value cache, ConvS2S its last K-1 inputs per layer).
// Shapes: B batch (or hypotheses), S source length, T target length, V target vocabulary.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/autograd/ops/nn.h"
#include "ember/layers/module.h"
#include "ember/seq2seq/data/batching.h"

namespace ember::seq2seq {

// Incremental decoding state of B hypotheses.
class DecoderState {
 public:
  virtual ~DecoderState() = default;
  // Keeps the hypotheses `rows`, in that order (beam search reorders, prunes and repeats them):
  // row i of the new state is row rows[i] of the old one.
  virtual void select(const IndexArray& rows) = 0;
  // The attention weights of the last step, (B, S), for plots; undefined for models without one
  // (for multi-head attention: averaged over the heads of the last decoder layer).
  virtual NDArray last_attention() const { return NDArray(); }
};

class Seq2SeqModel : public nn::Module {
 public:
  // Reads batch.source (B, S), padded with <pad> (id 0) after each row's length,
  // batch.source_lengths (B lengths <= S) and batch.target_input (B, T), which starts with <s>;
  // the model builds the masks it needs from them (seq2seq/models/masks.h).
  // Returns logits (B, T, V).
  virtual Tensor forward(const Batch& batch) = 0;
  // Teacher forcing's loss against batch.target_output (B, T):
  // cross_entropy(forward(batch), batch.target_output, options). Models whose logits are one
  // linear layer override it with linear_cross_entropy, which never holds the (B, T, V) logits,
  // the largest array of a training step.
  virtual Tensor loss(const Batch& batch, const CrossEntropyOptions& options) {
    return cross_entropy(forward(batch), batch.target_output, options);
  }
  // Decoding (greedy and beam search) reads the sources only: src (B, S) and src_lengths as in
  // a Batch.
  virtual std::unique_ptr<DecoderState> start(const IndexArray& src,
                                              const std::vector<int64_t>& src_lengths) = 0;
  // tokens: (B) the previous token of each hypothesis. Returns log-probabilities (B, V).
  virtual Tensor step(const IndexArray& tokens, DecoderState& state) = 0;
  virtual std::string describe() const = 0;  // one line: architecture and sizes
};

}  // namespace ember::seq2seq
