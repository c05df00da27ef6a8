// A scripted Seq2SeqModel for the search tests: step() returns log(script(key, previous token,
// step)) per row, where key is the row's first source token. Its attention at step t is one-hot
// on source position min(t, length - 1). Plus the distributions the scripts are built from.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/autograd/tensor.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/model.h"

namespace ember::testing {

using Script = std::function<std::vector<float>(int64_t key, int64_t previous, int64_t t)>;

class ScriptedState : public seq2seq::DecoderState {
 public:
  std::vector<int64_t> keys, lengths;
  int64_t t = 0, src_len = 0;
  bool bad_attention = false;  // report attention of a wrong shape
  void select(const IndexArray& rows) override {
    std::vector<int64_t> k, l;
    for (int64_t r : rows.values()) k.push_back(keys[r]), l.push_back(lengths[r]);
    keys = k;
    lengths = l;
  }
  NDArray last_attention() const override {
    if (bad_attention) return NDArray::zeros({1, src_len + 1});
    NDArray a = NDArray::zeros({static_cast<int64_t>(keys.size()), src_len});
    for (size_t r = 0; r < keys.size(); ++r)
      a.data()[r * src_len + std::min(t - 1, lengths[r] - 1)] = 1.0f;
    return a;
  }
};

class ScriptedModel : public seq2seq::Seq2SeqModel {
 public:
  explicit ScriptedModel(Script script, int64_t vocab = 8)
      : script_(std::move(script)), vocab_(vocab) {}
  Tensor forward(const seq2seq::Batch&) override { return Tensor(); }
  std::unique_ptr<seq2seq::DecoderState> start(const IndexArray& src,
                                               const std::vector<int64_t>& lengths) override {
    auto state = std::make_unique<ScriptedState>();
    for (int64_t b = 0; b < src.size(0); ++b) state->keys.push_back(src[b * src.size(1)]);
    state->lengths = lengths;
    state->src_len = src.size(1);
    state->bad_attention = bad_attention;
    return state;
  }
  Tensor step(const IndexArray& tokens, seq2seq::DecoderState& state) override {
    auto& s = static_cast<ScriptedState&>(state);
    const int64_t rows = tokens.numel();
    ++steps;
    max_rows = std::max(max_rows, rows);
    std::vector<float> logp;
    for (int64_t r = 0; r < rows; ++r)
      for (float p : script_(s.keys[r], tokens[r], s.t)) logp.push_back(std::log(p));
    ++s.t;
    return Tensor::from_vector(logp, {rows, vocab_});
  }
  std::string describe() const override { return "scripted"; }
  int64_t steps = 0, max_rows = 0;
  bool bad_attention = false;

 private:
  Script script_;
  int64_t vocab_;
};

// A distribution over 8 tokens with the given probabilities at the given tokens, 0 elsewhere.
inline std::vector<float> dist(std::initializer_list<std::pair<int64_t, float>> entries) {
  std::vector<float> p(8, 0.0f);
  for (auto [token, prob] : entries) p[token] = prob;
  return p;
}

// Pseudo-random but fixed distributions, with </s> more likely as t grows.
inline std::vector<float> noisy(int64_t key, int64_t previous, int64_t t) {
  std::vector<float> p(8);
  float total = 0.0f;
  for (int64_t v = 0; v < 8; ++v) {
    const uint64_t h = (key * 131 + previous * 31 + v * 7 + t * 3) * 2654435761u % 1000;
    p[v] = 0.1f + static_cast<float>(h) / 1000.0f + (v == seq2seq::kEosId ? 0.3f * t : 0.0f);
    total += p[v];
  }
  for (float& x : p) x /= total;
  return p;
}

}  // namespace ember::testing
