// Greedy decoding: at each step every sentence takes its most probable next token,
//   y_t = argmax_v log p(v | y_<t, x),
// batched over sentences (one model step() for all unfinished sentences, through the model's
// incremental state). A sentence stops at </s> or after max_len(src_len) tokens; finished
// sentences are dropped from the state (DecoderState::select), so the batch shrinks as it goes.
// <pad> and <s> are never emitted.
//   src: (B, S) padded ids, src_lengths: B lengths  ->  B hypotheses
// Decoding runs under no_grad; put the model in eval mode first (dropout stays on otherwise).
#pragma once

#include <vector>

#include "ember/seq2seq/models/model.h"
#include "ember/seq2seq/search/hypothesis.h"

namespace ember::seq2seq {

struct GreedyOptions {
  LengthLimit max_len;     // max_len = floor(a * src_len + b) tokens
  int64_t min_len = 0;     // no </s> before this many tokens (search_detail::emittable)
  int64_t no_repeat_ngram = 0;  // no n-gram of this size twice in an output (0: off)
  bool disable_unk = false;     // never emit <unk> (search_detail::emittable)
  bool attention = false;  // keep each step's attention weights (Hypothesis::attention)
};

// Throws "[greedy_search]" for a src/src_lengths mismatch, a negative or huge max_len, min_len or
// no_repeat_ngram (hypothesis.h) or a step output of the wrong shape.
std::vector<Hypothesis> greedy_search(Seq2SeqModel& model, const IndexArray& src,
                                      const std::vector<int64_t>& src_lengths,
                                      const GreedyOptions& options = {});

}  // namespace ember::seq2seq
