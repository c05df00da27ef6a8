// RnnAttentionSeq2Seq: parameter names and layouts for each score function, the attention weights
// it reports, the Bahdanau step written out by hand, and every error path. The behaviour every
// model shares (incremental = full, select, padding, training) is in test_factory.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/attention.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/rnn_attention_seq2seq.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::batch_of;
using testing::child;
using testing::ForeignState;
using testing::parameter_shapes;

namespace {

ModelConfig tiny(AttentionScore score, CellType cell = CellType::kGru, int64_t layers = 1) {
  ModelConfig c = preset(Architecture::kRnnAttention, "tiny");
  c.attention = score;
  c.cell = cell;
  c.src_vocab_size = 11;
  c.tgt_vocab_size = 9;
  c.embedding_dim = 6;
  c.hidden_size = 8;
  c.attention_dim = 5;
  c.encoder_layers = c.decoder_layers = layers;
  c.dropout = 0.0f;
  return c;
}

}  // namespace

TEST_CASE("RnnAttentionSeq2Seq names its parameters as documented") {
  const RnnAttentionSeq2Seq m(tiny(AttentionScore::kAdditive, CellType::kLstm, 2));
  const auto s = parameter_shapes(m);
  CHECK(s.at("encoder.weight_ih_l0") == Shape{16, 6});  // 4 gates x H/2
  CHECK(s.at("encoder.weight_ih_l0_reverse") == Shape{16, 6});
  CHECK(s.at("encoder.weight_ih_l1") == Shape{16, 8});
  CHECK(s.at("bridge.weight") == Shape{16, 8});  // H -> L*H
  CHECK(s.at("attention.W_q") == Shape{5, 8});
  CHECK(s.at("attention.W_k") == Shape{5, 8});
  CHECK(s.at("attention.v") == Shape{5});
  CHECK(s.at("cells.0.weight_ih") == Shape{32, 6 + 8});  // [e; c]
  CHECK(s.at("cells.1.weight_ih") == Shape{32, 8});
  CHECK(s.at("out.weight") == Shape{9, 2 * 8 + 6});  // [s; c; e]
  CHECK(parameter_shapes(RnnAttentionSeq2Seq(tiny(AttentionScore::kGeneral))).at("attention.W") ==
        Shape{8, 8});
  for (AttentionScore score : {AttentionScore::kDot, AttentionScore::kScaledDot}) {
    const auto d = parameter_shapes(RnnAttentionSeq2Seq(tiny(score)));
    for (const auto& [name, shape] : d) CHECK(name.rfind("attention.", 0) == std::string::npos);
  }
}

TEST_CASE("make_attention builds the configured score function") {
  CHECK(make_attention(tiny(AttentionScore::kDot))->name() == "dot_attention");
  CHECK(make_attention(tiny(AttentionScore::kScaledDot))->name() == "scaled_dot_attention");
  CHECK(make_attention(tiny(AttentionScore::kGeneral))->name() == "general_attention");
  CHECK(make_attention(tiny(AttentionScore::kAdditive))->name() == "additive_attention");
}

TEST_CASE("last_attention: (B, S) distributions with no weight on padding") {
  RnnAttentionSeq2Seq m(tiny(AttentionScore::kScaledDot));
  m.eval();
  const IndexArray src({4, 5, 6, 7, 8, 9, 0, 0}, {2, 4});
  auto state = m.start(src, {4, 2});
  CHECK_FALSE(state->last_attention().defined());
  m.step(IndexArray({kBosId, kBosId}), *state);
  const NDArray a = state->last_attention();
  REQUIRE(a.shape() == Shape{2, 4});
  CHECK(a.at({0, 0}) + a.at({0, 1}) + a.at({0, 2}) + a.at({0, 3}) == doctest::Approx(1.0));
  CHECK(a.at({1, 0}) + a.at({1, 1}) == doctest::Approx(1.0));
  CHECK(a.at({1, 2}) == 0.0f);
  CHECK(a.at({1, 3}) == 0.0f);
}

// The first step written out: s_0 = tanh(bridge([h_fwd; h_bwd])), (c, alpha) = attention(s_0),
// s_1 = GRU([e; c], s_0), log_softmax(out([s_1; c; e])).
TEST_CASE("the first decoder step is Bahdanau's, written out by hand") {
  RnnAttentionSeq2Seq m(tiny(AttentionScore::kAdditive));
  m.eval();
  const IndexArray src({4, 5, 6, 7}, {1, 4}), bos({kBosId});
  auto state = m.start(src, {4});
  const NDArray got = m.step(bos, *state).data();

  const auto& embed = child<nn::Embedding>(m, "src_embed");
  const auto& encoder = child<nn::RecurrentLayer>(m, "encoder");
  const nn::RecurrentOutput enc = encoder.forward(embed.forward(src));
  const Tensor s0 = tanh(child<nn::Linear>(m, "bridge")
                             .forward(cat({select(enc.h_n, 0, 0), select(enc.h_n, 0, 1)}, 1)));
  const nn::AttentionOutput att = child<nn::Attention>(m, "attention").forward(s0, enc.output);
  const Tensor e = child<nn::Embedding>(m, "tgt_embed").forward(bos);
  const auto& cells = child<nn::ModuleList<nn::RecurrentCell>>(m, "cells");
  const Tensor s1 = cells[0].forward(cat({e, att.context}, 1), {s0}).h;
  const NDArray want =
      log_softmax(child<nn::Linear>(m, "out").forward(cat({s1, att.context, e}, 1)), -1).data();
  const auto g = got.to_vector(), w = want.to_vector();
  REQUIRE(g.size() == w.size());
  for (size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(w[i]).epsilon(1e-5));
  const auto a = state->last_attention().to_vector(), b = att.weights.to_vector();
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-5));
}

TEST_CASE("RnnAttentionSeq2Seq refuses bad inputs, states and configs") {
  RnnAttentionSeq2Seq m(tiny(AttentionScore::kDot));
  const IndexArray src({4, 5, 6, 7, 8, 0}, {2, 3});
  const auto err = [](auto&& f) {
    CHECK_THROWS_WITH_AS(f(), doctest::Contains("[rnn_attention_seq2seq]"), Error);
  };
  err([&] { m.forward(batch_of(src, {3, 0}, IndexArray({2, 4, 2, 5}, {2, 2}))); });
  err([&] { m.forward(batch_of(src, {3, 2}, IndexArray({2, 4, 2}, {3, 1}))); });
  err([&] { m.start(src, {3}); });
  auto state = m.start(src, {3, 2});
  err([&] { m.step(IndexArray({2}), *state); });
  err([&] { state->select(IndexArray({-1})); });
  ForeignState foreign;
  err([&] { m.step(IndexArray({2, 2}), foreign); });
  CHECK_THROWS_WITH_AS(RnnAttentionSeq2Seq{preset(Architecture::kConvS2S, "tiny")},
                       doctest::Contains("needs architecture rnn_attention"), Error);
  ModelConfig odd = tiny(AttentionScore::kDot);
  odd.hidden_size = 7;
  CHECK_THROWS_WITH_AS(RnnAttentionSeq2Seq{odd}, doctest::Contains("[model_config]"), Error);
}
