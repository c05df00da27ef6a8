// Helpers shared by the seq2seq model and search tests: token-id batches, a state no model made,
// and views of a module's parameters and children.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ember/layers/module.h"
#include "ember/seq2seq/data/batching.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/models/model.h"

namespace ember::testing {

// Rows of ids padded with <pad> to the longest: (B, S).
inline IndexArray padded(const std::vector<std::vector<int64_t>>& rows) {
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.size());
  std::vector<int64_t> ids;
  for (const auto& r : rows) {
    ids.insert(ids.end(), r.begin(), r.end());
    ids.insert(ids.end(), width - r.size(), seq2seq::kPadId);
  }
  return IndexArray(ids, {static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)});
}

// Column t of ids (B, T) as step() input: (B).
inline IndexArray column(const IndexArray& ids, int64_t t) {
  std::vector<int64_t> v;
  for (int64_t b = 0; b < ids.size(0); ++b) v.push_back(ids[b * ids.size(1) + t]);
  return IndexArray(v);
}

// A Batch of ids already padded, as Seq2SeqModel::forward and loss take it.
inline seq2seq::Batch batch_of(const IndexArray& src, const std::vector<int64_t>& src_lengths,
                               const IndexArray& tgt_in, const IndexArray& tgt_out = IndexArray()) {
  return {.source = src,
          .target_input = tgt_in,
          .target_output = tgt_out,
          .source_lengths = src_lengths};
}

// A decoding state no model's start() made, for the step() error paths.
class ForeignState : public seq2seq::DecoderState {
 public:
  void select(const IndexArray&) override {}
};

// The shape of every parameter by its dotted name.
inline std::map<std::string, Shape> parameter_shapes(const nn::Module& m) {
  std::map<std::string, Shape> out;
  for (const auto& [name, p] : m.named_parameters()) out[name] = p.shape();
  return out;
}

// The direct child `name` of m as an M; throws when there is none.
template <class M>
const M& child(const nn::Module& m, const std::string& name) {
  for (const auto& [n, c] : m.children())
    if (n == name) return dynamic_cast<const M&>(*c);
  throw std::runtime_error("no child " + name);
}

// A tiny GRU-with-attention model (embeddings 8, state 16) over a tokenizer's vocabulary on both
// sides: the decoding tests' model, untrained.
inline std::shared_ptr<seq2seq::Seq2SeqModel> tiny_attention_model(const seq2seq::Tokenizer& tok) {
  seq2seq::ModelConfig c = seq2seq::preset(seq2seq::Architecture::kRnnAttention, "tiny");
  c.src_vocab_size = c.tgt_vocab_size = tok.vocab_size();
  c.embedding_dim = 8;
  c.hidden_size = 16;
  return seq2seq::make_model(c);
}

}  // namespace ember::testing
