// EnsembleModel: several trained encoder-decoders that share their vocabularies, decoded as one
// model behind the Seq2SeqModel interface, so that greedy and beam search (seq2seq/search/)
// decode an ensemble unchanged. The members may be of different architectures.
//
// At each step every member advances its own decoding state, and the ensemble's distribution is
// the mean of the members' probabilities, returned as log-probabilities:
//   log p(y | x, prefix) = log( (1/M) sum_m p_m(y | x, prefix) )
// computed stably as logsumexp_m(log p_m) - log M. This is fairseq's EnsembleModel
// (sequence_generator.py); Marian instead sums the members' weighted log-probabilities (a product
// of experts, not normalised). The mean of probabilities is itself a distribution, so beam
// scores, length penalties and per-sentence log-probabilities mean what they mean for one model,
// and an ensemble of one model, or of a model with itself, decodes exactly as that model does.
//
// forward() (teacher forcing) returns the same mixture for every target position, as logits
// whose log_softmax is the mixture's log-probabilities, so loss() is the ensemble's
// cross-entropy. An ensemble decodes and scores; it is not trained: its outputs carry no gradient.
//
//   auto ensemble = std::make_shared<EnsembleModel>(std::vector{model_a, model_b});
//   translate(*ensemble, source_tokenizer, target_tokenizer, lines, options);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/seq2seq/models/model.h"

namespace ember::seq2seq {

class EnsembleModel : public Seq2SeqModel {
 public:
  // The members are registered as submodules "0", "1", ... (eval() reaches them). Throws
  // "[ensemble]" for no member or a null one. The vocabularies are the caller's to check
  // (load_ensemble in seq2seq/train/ensemble_run.h refuses runs whose vocabularies differ).
  explicit EnsembleModel(std::vector<std::shared_ptr<Seq2SeqModel>> members);

  Tensor forward(const Batch& batch) override;
  std::unique_ptr<DecoderState> start(const IndexArray& src,
                                      const std::vector<int64_t>& src_lengths) override;
  // Throws "[ensemble]" when the members' outputs differ in shape (another vocabulary size).
  Tensor step(const IndexArray& tokens, DecoderState& state) override;
  std::string describe() const override;

  size_t size() const { return members_.size(); }

 private:
  std::vector<std::shared_ptr<Seq2SeqModel>> members_;
};

}  // namespace ember::seq2seq
