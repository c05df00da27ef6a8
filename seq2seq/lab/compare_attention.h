// The attention figures of the comparison lab: one sentence decoded greedily, step by step, with
// the attention weights of each step kept — the map a model reports (DecoderState::
// last_attention: rnn_attention's weights, the Transformer's last-layer cross-attention averaged
// over its heads) and, for ConvS2S, the map of every decoder layer (ConvS2SState::
// layer_attention).
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/lab/compare.h"
#include "ember/seq2seq/models/model.h"
#include "ember/seq2seq/search/hypothesis.h"

namespace ember::seq2seq::lab {

// The figures of `sentence` for the contender `name` (files "attention-<slug>[-layer<N>].svg"),
// rows the output tokens (</s> included: the step that ended the output), columns the source
// tokens (</s> included); none for a model without attention. Decodes in eval mode under no_grad
// (the model's mode is restored), at most max_len(source tokens) tokens before </s>.
std::vector<AttentionFigure> attention_figures(Seq2SeqModel& model, const std::string& name,
                                               const Tokenizer& source_tokenizer,
                                               const Tokenizer& target_tokenizer,
                                               const std::string& sentence,
                                               const LengthLimit& max_len = {});

}  // namespace ember::seq2seq::lab
