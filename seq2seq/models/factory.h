// make_model: the encoder-decoder a ModelConfig describes (config.h), behind the one interface of
// model.h. Parameters are initialised from core::default_generator(), so core::manual_seed makes
// a model reproducible.
//
//   ModelConfig config = preset(Architecture::kTransformer, "small");
//   config.src_vocab_size = src_tokenizer.vocab_size();
//   config.tgt_vocab_size = tgt_tokenizer.vocab_size();
//   std::shared_ptr<Seq2SeqModel> model = make_model(config);
#pragma once

#include <memory>

#include "ember/seq2seq/models/config.h"
#include "ember/seq2seq/models/model.h"

namespace ember::seq2seq {

// Validates the config ("[model_config]" errors) and builds RnnSeq2Seq, RnnAttentionSeq2Seq,
// TransformerSeq2Seq or the ConvS2S model (make_convs2s).
std::shared_ptr<Seq2SeqModel> make_model(const ModelConfig& config);

}  // namespace ember::seq2seq
