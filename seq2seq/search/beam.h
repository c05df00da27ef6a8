// Beam search, batched over sentences: B sentences keep k hypotheses each, B k rows of the model's
// incremental state, advanced by one step() call per time step and reordered with
// DecoderState::select. <pad> and <s> are never emitted.
//
// Each step, for each sentence, the 2k best one-token extensions of its k live hypotheses (by
// log P) are taken best first: an extension ending in </s> is set aside as finished, the others
// become the new beam until it holds k. A sentence is done when it has round(patience * k)
// finished hypotheses (at least n_best; patience 1 is fairseq's rule, Kasai et al. 2022 "Beam
// Decoding with Controlled Patience" and CTranslate2's `patience` let it run on, so that longer
// outputs can finish before the short ones end the search) or its live ones reach max_len(src_len)
// tokens (they are then finished without </s>); done sentences leave the state. Finished hypotheses
// are ranked by the length-normalised score of GNMT (Wu et al., 2016, eq. 14):
//   score(Y) = log P(Y | X) / lp(Y),   lp(Y) = (5 + |Y|)^alpha / (5 + 1)^alpha
// with |Y| counting </s> when present. alpha = 0 ranks by log P alone.
//   src: (B, S) padded ids, src_lengths: B lengths  ->  per sentence, the n_best best hypotheses
// Decoding runs under no_grad; put the model in eval mode first.
#pragma once

#include <vector>

#include "ember/seq2seq/models/model.h"
#include "ember/seq2seq/search/hypothesis.h"

namespace ember::seq2seq {

struct BeamOptions {
  int64_t beam_size = 5;        // k, in [1, 1000] (search_detail::kMaxBeamSize)
  float length_penalty = 0.6f;  // alpha of lp(Y) above
  int64_t n_best = 1;           // hypotheses returned per sentence, in [1, k]
  float patience = 1.0f;        // finished hypotheses that end a sentence, times k: in (0, 1000]
  LengthLimit max_len;          // max_len = floor(a * src_len + b) tokens
  int64_t min_len = 0;          // no </s> before this many tokens (search_detail::emittable)
  int64_t no_repeat_ngram = 0;  // no n-gram of this size twice in a hypothesis (0: off)
  bool disable_unk = false;     // never emit <unk> (search_detail::emittable)
  bool attention = false;       // keep each hypothesis's attention weights
};

// lp(|Y|) above.
float gnmt_length_penalty(int64_t length, float alpha);

// The best hypotheses of each sentence, best first (at most n_best; fewer only when the model
// leaves fewer finite-scoring ones). Throws "[beam_search]" for bad options (a beam past 1,000,
// a negative or huge max_len, min_len or no_repeat_ngram: hypothesis.h; a patience outside
// (0, 1000]), a src/src_lengths mismatch
// or a step output of the wrong shape.
std::vector<std::vector<Hypothesis>> beam_search_nbest(Seq2SeqModel& model, const IndexArray& src,
                                                       const std::vector<int64_t>& src_lengths,
                                                       const BeamOptions& options = {});

// The best hypothesis of each sentence (beam_search_nbest with n_best = 1).
std::vector<Hypothesis> beam_search(Seq2SeqModel& model, const IndexArray& src,
                                    const std::vector<int64_t>& src_lengths,
                                    const BeamOptions& options = {});

}  // namespace ember::seq2seq
