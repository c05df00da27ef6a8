// ModelConfig: what make_model (factory.h) builds — the architecture and every size — with named
// size presets and a JSON form (saved with each run). Also the input checks and source-side helpers
// every model shares.
//
// Architectures:
//   rnn            RNN/GRU/LSTM encoder-decoder without attention (Sutskever et al., 2014): the
//                  encoder's final state (every layer) is the decoder's initial state, so
//                  encoder_layers must equal decoder_layers.
//   rnn_attention  bidirectional RNN/GRU/LSTM encoder (hidden_size / 2 per direction, so its
//                  outputs are hidden_size wide, OpenNMT's "brnn") and an attention decoder,
//                  Bahdanau-style (Bahdanau et al., 2015): the query is the previous decoder state.
//   transformer    Vaswani et al., 2017, d_model = hidden_size, post- or pre-norm.
//   convs2s        Gehring et al., 2017 (seq2seq/models/convs2s.h).
//
// Size presets (vocabulary sizes are not part of a preset: set them from the tokenizer):
//   rnn, rnn_attention  tiny: E 32, H 64, 1+1 layers, dropout 0.1
//                       small: E 256, H 512, 1+1 layers, dropout 0.3
//                       base: E 512, H 1024, 2+2 layers, dropout 0.3
//                       (cell gru, additive attention of width H)
//   transformer         tiny: d 64, 4 heads, ff 128, 2+2 layers, dropout 0.1
//                       small: d 256, 8 heads, ff 512, 3+3 layers, dropout 0.1
//                       base: d 512, 8 heads, ff 2048, 6+6 layers, dropout 0.1 (Vaswani's base)
//                       (pre-norm, output projection tied to the target embedding)
//   convs2s             tiny: E 32, H 64, 2+2 layers, kernel 3, dropout 0.1
//                       small: E 256, H 512, 10+10 layers, kernel 3, dropout 0.25
//                       base: E 512, H 512, 15+15 layers, kernel 3, dropout 0.2 (the depth of
//                       Gehring et al.'s WMT'14 En-De model at one width)
// A default-constructed ModelConfig is preset(kTransformer, "small") with vocabularies of 8000.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ember/autograd/ops/recurrent.h"
#include "ember/autograd/tensor.h"

namespace ember::seq2seq {

enum class Architecture { kRnn, kRnnAttention, kTransformer, kConvS2S };

// The score function of the rnn_attention decoder (layers/attention.h):
//   dot s.k, scaled_dot s.k / sqrt(H), general s^T W k (Luong et al., 2015),
//   additive v.tanh(W_q s + W_k k) (Bahdanau et al., 2015).
enum class AttentionScore { kDot, kScaledDot, kGeneral, kAdditive };

struct ModelConfig {
  Architecture architecture = Architecture::kTransformer;
  int64_t src_vocab_size = 8000;  // including the 4 special tokens
  int64_t tgt_vocab_size = 8000;
  int64_t embedding_dim = 256;  // token embeddings of rnn, rnn_attention, convs2s
  // The model width: the (decoder) RNN state, the Transformer's d_model (its embeddings too), the
  // ConvS2S channels.
  int64_t hidden_size = 256;
  int64_t encoder_layers = 3;
  int64_t decoder_layers = 3;
  int64_t num_heads = 8;           // transformer
  int64_t feedforward_dim = 512;   // transformer
  int64_t kernel_size = 3;         // convs2s
  int64_t max_positions = 1024;    // longest sequence: transformer sinusoids, convs2s positions
  CellType cell = CellType::kGru;  // rnn, rnn_attention
  AttentionScore attention = AttentionScore::kAdditive;  // rnn_attention
  int64_t attention_dim = 0;  // additive attention's width; 0 = hidden_size
  float dropout = 0.1f;
  bool norm_first = true;  // transformer: pre-norm (Xiong et al., 2020) or post-norm (Vaswani)
  // transformer, convs2s: the output projection is the target embedding matrix (Press & Wolf,
  // 2017); no output bias then.
  bool tie_embeddings = true;
  // transformer: a pointer-generator output (See et al., 2017; transformer_seq2seq.h) that can copy
  // source tokens; source and target must share one vocabulary.
  bool copy = false;

  int64_t effective_attention_dim() const {
    return attention_dim > 0 ? attention_dim : hidden_size;
  }
};

// Names as in the JSON form and on the command line.
const char* to_string(Architecture a);    // rnn | rnn_attention | transformer | convs2s
const char* to_string(CellType c);        // rnn | gru | lstm
const char* to_string(AttentionScore a);  // dot | scaled_dot | general | additive
// The inverses; an unknown name throws "[model_config]" listing the valid ones.
Architecture parse_architecture(std::string_view name);
CellType parse_cell_type(std::string_view name);
AttentionScore parse_attention_score(std::string_view name);

// The preset `size` (tiny | small | base, numbers in the header comment) of an architecture.
ModelConfig preset(Architecture architecture, std::string_view size);

// Throws "[model_config]" naming the field and value unless the configuration can be built:
// positive sizes, vocabularies of at least 5 (4 special tokens and one more), dropout in [0, 1),
// hidden_size divisible by num_heads (transformer) and even (rnn_attention's two directions),
// equal layer counts for rnn, tie_embeddings only where it exists (transformer, convs2s), copy
// only for the transformer and with src_vocab_size = tgt_vocab_size.
void validate(const ModelConfig& config);

// Every field as one JSON object with the names above, enums as their names.
std::string to_json_string(const ModelConfig& config);
// Reads a JSON object over `base`: each key present replaces that field; a key "preset" (tiny |
// small | base) first resets the fields to that preset of the object's architecture (or base's).
// Invalid JSON, an unknown key or a value of the wrong type throws "[model_config]"; the result
// is validated.
ModelConfig from_json_string(const std::string& json, const ModelConfig& base = {});

// One line: architecture and sizes, e.g. "transformer d_model 256, 8 heads, ff 512, 3+3 layers,
// pre-norm, tied embeddings, dropout 0.1, vocab 8000/8000" (", copy" after "tied embeddings"
// for a copy model).
std::string summary(const ModelConfig& config);

// ---- shared by the models -----------------------------------------------------------------------

// Throws "[tag]" unless src is (B, S) with B, S >= 1 and there are B lengths in [1, S].
void check_source(const char* tag, const IndexArray& src, const std::vector<int64_t>& lengths);
// Throws "[tag]" unless tgt is (B, T) with T >= 1 and the batch of src.
void check_target(const char* tag, const IndexArray& src, const IndexArray& tgt);
// Throws "[tag]" unless the tokens given to step() are (B), one per hypothesis of a state of
// `batch` hypotheses.
void check_step_tokens(const char* tag, const IndexArray& tokens, int64_t batch);

// Which source row (of the batch given to start()) each hypothesis of a decoding state reads.
// Beam search reorders hypotheses within their sentence at every step; the per-source tensors
// (encoder outputs, projected memory) need gathering only when this map actually changes.
class SourceRows {
 public:
  explicit SourceRows(int64_t batch);  // the identity
  // Applies DecoderState::select(rows) (each row in [0, B), else "[tag]"); returns whether the
  // map changed.
  bool select(const char* tag, const IndexArray& rows);
  IndexArray index() const;  // (B') the current map
  int64_t size() const { return static_cast<int64_t>(rows_.size()); }

 private:
  std::vector<int64_t> rows_;
};

}  // namespace ember::seq2seq
