#include "ember/seq2seq/models/factory.h"

#include "ember/seq2seq/models/convs2s.h"
#include "ember/seq2seq/models/rnn_attention_seq2seq.h"
#include "ember/seq2seq/models/rnn_seq2seq.h"
#include "ember/seq2seq/models/transformer_seq2seq.h"

namespace ember::seq2seq {

std::shared_ptr<Seq2SeqModel> make_model(const ModelConfig& config) {
  validate(config);
  switch (config.architecture) {
    case Architecture::kRnn:
      return std::make_shared<RnnSeq2Seq>(config);
    case Architecture::kRnnAttention:
      return std::make_shared<RnnAttentionSeq2Seq>(config);
    case Architecture::kConvS2S:
      return make_convs2s(config);
    case Architecture::kTransformer:
      break;
  }
  return std::make_shared<TransformerSeq2Seq>(config);
}

}  // namespace ember::seq2seq
