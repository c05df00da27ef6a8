// TransformerSeq2Seq: parameter names and counts (the W1 benchmark model), initialisation, tied
// embeddings, the cross-attention weights last_attention() reports against the layer's own
// forward, and every error path. The behaviour every model shares (incremental = full, select,
// padding, training) is in test_factory.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/transformer.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/masks.h"
#include "ember/seq2seq/models/transformer_seq2seq.h"
#include "support/check.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::batch_of;
using testing::child;
using testing::ForeignState;
using testing::max_abs_diff;

namespace {

ModelConfig tiny(bool norm_first, bool tie = true) {
  ModelConfig c = preset(Architecture::kTransformer, "tiny");
  c.src_vocab_size = 11;
  c.tgt_vocab_size = 9;
  c.hidden_size = 16;
  c.num_heads = 4;
  c.feedforward_dim = 20;
  c.encoder_layers = 2;
  c.decoder_layers = 1;
  c.max_positions = 16;
  c.dropout = 0.0f;
  c.norm_first = norm_first;
  c.tie_embeddings = tie;
  return c;
}

bool has_parameter(const nn::Module& m, const std::string& name) {
  for (const auto& [n, p] : m.named_parameters())
    if (n == name) return true;
  return false;
}

}  // namespace

TEST_CASE("the W1 model: torch's names and exactly its parameter count") {
  ModelConfig c = preset(Architecture::kTransformer, "small");
  c.num_heads = 4;
  c.feedforward_dim = 1024;
  const TransformerSeq2Seq m(c);
  // Embeddings 2 V d; encoder layer 4d^2 + 4d (attention) + 2 d ff + ff + d + 4d (norms); decoder
  // layer two attentions and three norms; the two final norms; no output matrix (tied).
  const int64_t d = 256, ff = 1024, V = 8000;
  const int64_t attention = 4 * d * d + 4 * d, feed = 2 * d * ff + ff + d;
  const int64_t expected =
      2 * V * d + 3 * (attention + feed + 4 * d) + 3 * (2 * attention + feed + 6 * d) + 2 * 2 * d;
  CHECK(m.num_parameters() == expected);
  for (const char* name :
       {"src_embed.weight", "tgt_embed.weight", "encoder.layers.0.self_attn.in_proj_weight",
        "encoder.layers.2.linear2.bias", "encoder.norm.weight",
        "decoder.layers.1.multihead_attn.out_proj.weight", "decoder.layers.2.norm3.bias",
        "decoder.norm.bias"})
    CHECK_MESSAGE(has_parameter(m, name), name);
  CHECK_FALSE(has_parameter(m, "out.weight"));
  CHECK(m.describe() == summary(c));
}

TEST_CASE("post-norm has no final norms; untied has its own output layer") {
  const TransformerSeq2Seq m(tiny(false, false));
  CHECK_FALSE(has_parameter(m, "encoder.norm.weight"));
  CHECK_FALSE(has_parameter(m, "decoder.norm.weight"));
  CHECK(has_parameter(m, "out.weight"));
  CHECK(has_parameter(m, "out.bias"));
}

TEST_CASE("embeddings start N(0, 1/d) with a zero <pad> row") {
  ModelConfig c = tiny(true);
  c.tgt_vocab_size = 400;
  c.hidden_size = 64;
  const TransformerSeq2Seq m(c);
  const NDArray w = child<nn::Embedding>(m, "tgt_embed").weight().data();
  CHECK(w.select(0, kPadId).to_vector() == std::vector<float>(64, 0.0f));
  double sq = 0.0;
  for (float v : w.to_vector()) sq += static_cast<double>(v) * v;
  CHECK(std::sqrt(sq / (399.0 * 64)) == doctest::Approx(1.0 / 8).epsilon(0.05));
}

TEST_CASE("tied: the output projection trains the target embedding of every row") {
  for (bool tie : {true, false}) {
    CAPTURE(tie);
    TransformerSeq2Seq m(tiny(true, tie));
    const IndexArray src({4, 5, 6}, {1, 3}), tgt_in({kBosId, 4}, {1, 2});
    cross_entropy(m.forward(batch_of(src, {3}, tgt_in)).reshape({2, -1}), IndexArray({5, kEosId}))
        .backward();
    // Row 8 is never an input: only the output projection can give it a gradient.
    const NDArray g = child<nn::Embedding>(m, "tgt_embed").weight().grad().select(0, 8);
    float norm = 0.0f;
    for (float v : g.to_vector()) norm += std::abs(v);
    CHECK((norm > 0.0f) == tie);
  }
}

// last_attention after step t equals the cross-attention weights of the layer's own forward over
// the whole prefix, at row t: the query is norm2(x + SA(norm1(x))) (pre-norm) or
// norm1(x + SA(x)) (post-norm), x the scaled, positioned target embeddings.
TEST_CASE("last_attention is the last layer's cross-attention, averaged over heads") {
  for (bool norm_first : {true, false}) {
    CAPTURE(norm_first);
    TransformerSeq2Seq m(tiny(norm_first));
    m.eval();
    const IndexArray src({4, 5, 6, 7, 8, 9, 10, 4, 0, 0}, {2, 5});
    const IndexArray tgt({kBosId, 4, 5, 6, kBosId, 7, 8, 4}, {2, 4});
    const std::vector<int64_t> lengths{5, 3};
    const Tensor mask = source_padding_mask(lengths, 5);
    const auto& pos = child<nn::SinusoidalPositionalEncoding>(m, "positions");
    const Tensor xs = pos.forward(child<nn::Embedding>(m, "src_embed").forward(src) * 4.0f);
    nn::TransformerEncoderMasks emasks;
    emasks.src_key_padding_mask = mask;
    const Tensor memory = child<nn::TransformerEncoder>(m, "encoder").forward(xs, emasks);
    const Tensor y = pos.forward(child<nn::Embedding>(m, "tgt_embed").forward(tgt) * 4.0f);
    const auto& layer = child<nn::TransformerDecoder>(m, "decoder").layers()[0];
    const auto& sa = child<nn::MultiheadAttention>(layer, "self_attn");
    const auto& norm1 = child<nn::LayerNorm>(layer, "norm1");
    nn::MultiheadAttentionArgs causal;
    causal.attn_mask = nn::causal_mask(4);
    causal.need_weights = false;
    Tensor q;
    if (norm_first) {
      const Tensor n = norm1.forward(y);
      q = child<nn::LayerNorm>(layer, "norm2").forward(y + sa.forward(n, n, n, causal).output);
    } else {
      q = norm1.forward(y + sa.forward(y, y, y, causal).output);
    }
    nn::MultiheadAttentionArgs padded;
    padded.key_padding_mask = mask;
    const NDArray want = child<nn::MultiheadAttention>(layer, "multihead_attn")
                             .forward(q, memory, memory, padded)
                             .weights.data();  // (B, T, S)
    auto state = m.start(src, lengths);
    for (int64_t t = 0; t < 4; ++t) {
      m.step(IndexArray({tgt[t], tgt[4 + t]}), *state);
      const auto got = state->last_attention().to_vector();
      const auto row = want.select(1, t).to_vector();
      REQUIRE(got.size() == row.size());
      for (size_t i = 0; i < got.size(); ++i)
        CHECK(got[i] == doctest::Approx(row[i]).epsilon(1e-5));
    }
  }
}

TEST_CASE("TransformerSeq2Seq refuses bad inputs, states and configs") {
  TransformerSeq2Seq m(tiny(true));
  const IndexArray src({4, 5, 6, 7, 8, 0}, {2, 3});
  const auto err = [](auto&& f) {
    CHECK_THROWS_WITH_AS(f(), doctest::Contains("[transformer_seq2seq]"), Error);
  };
  err([&] { m.forward(batch_of(src, {3, 2, 1}, IndexArray({2, 4, 2, 5}, {2, 2}))); });
  err([&] { m.forward(batch_of(src, {3, 2}, IndexArray({2, 4}, {1, 2}))); });
  err([&] { m.start(IndexArray({4, 5, 6}, {1, 3}), {4}); });
  auto state = m.start(src, {3, 2});
  err([&] { m.step(IndexArray({2, 2}, {1, 2}), *state); });
  err([&] { state->select(IndexArray({0, 5})); });
  ForeignState foreign;
  err([&] { m.step(IndexArray({2, 2}), foreign); });
  CHECK_THROWS_WITH_AS(TransformerSeq2Seq{preset(Architecture::kRnn, "tiny")},
                       doctest::Contains("needs architecture transformer"), Error);
  // Longer than max_positions (16): the positional table says so.
  const IndexArray long_src(std::vector<int64_t>(17, 4), {1, 17});
  CHECK_THROWS_WITH_AS(m.forward(batch_of(long_src, {17}, IndexArray({2}, {1, 1}))),
                       doctest::Contains("max_len 16"), Error);
  m.eval();
  auto s1 = m.start(IndexArray({4}, {1, 1}), {1});
  for (int t = 0; t < 16; ++t) m.step(IndexArray({4}), *s1);
  CHECK_THROWS_WITH_AS(m.step(IndexArray({4}), *s1), doctest::Contains("max_len 16"), Error);
}

namespace {

ModelConfig tiny_copy() {
  ModelConfig c = tiny(true);
  c.tgt_vocab_size = c.src_vocab_size;
  c.copy = true;
  return c;
}

// The copy head's gate bias b_g: very negative makes the model copy only, very positive generate.
void set_gate_bias(TransformerSeq2Seq& m, float value) {
  child<nn::Linear>(m, "copy_gate").bias().data().fill_(value);
}

}  // namespace

TEST_CASE("copy: the output is log-probabilities, and the copy head has its parameters") {
  TransformerSeq2Seq m(tiny_copy());
  CHECK(has_parameter(m, "copy_query.weight"));
  CHECK_FALSE(has_parameter(m, "copy_query.bias"));
  CHECK(has_parameter(m, "copy_gate.weight"));
  CHECK(has_parameter(m, "copy_gate.bias"));
  CHECK(m.describe().find(", copy") != std::string::npos);
  m.eval();
  const IndexArray src({4, 5, 6, 7, 8, 9, 0, 0}, {2, 4});
  const IndexArray tgt({kBosId, 4, 5, kBosId, 10, 8}, {2, 3});
  const NDArray logp = m.forward(batch_of(src, {4, 2}, tgt)).data();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 3; ++t) {
      double total = 0.0;
      for (float v : logp.select(0, b).select(0, t).to_vector()) total += std::exp(v);
      CHECK(total == doctest::Approx(1.0).epsilon(1e-4));
    }
}

// With the gate closed (g ~ 0) all the mass is on the tokens of the row's own source, none on
// padding or on other tokens; with it open (g ~ 1) the copy head adds nothing.
TEST_CASE("copy: a closed gate writes only source tokens, an open one only the vocabulary") {
  TransformerSeq2Seq m(tiny_copy());
  m.eval();
  const IndexArray src({4, 5, 6, 7, 8, 9, 0, 0}, {2, 4});
  const std::vector<int64_t> lengths{4, 2};
  const IndexArray tgt({kBosId, 4, kBosId, 10}, {2, 2});
  set_gate_bias(m, -60.0f);
  const NDArray copied = m.forward(batch_of(src, lengths, tgt)).data();
  for (int64_t b = 0; b < 2; ++b) {
    const std::vector<int64_t> own =
        b == 0 ? std::vector<int64_t>{4, 5, 6, 7} : std::vector<int64_t>{8, 9};
    for (int64_t t = 0; t < 2; ++t) {
      const auto row = copied.select(0, b).select(0, t).to_vector();
      double on_source = 0.0;
      for (int64_t w = 0; w < static_cast<int64_t>(row.size()); ++w) {
        const bool in_source = std::find(own.begin(), own.end(), w) != own.end();
        if (in_source)
          on_source += std::exp(row[static_cast<size_t>(w)]);
        else
          CHECK(row[static_cast<size_t>(w)] < -15.0f);
      }
      CHECK(on_source == doctest::Approx(1.0).epsilon(1e-4));
    }
  }
  set_gate_bias(m, 60.0f);
  const NDArray generated = m.forward(batch_of(src, lengths, tgt)).data();
  ModelConfig c = tiny_copy();
  c.copy = false;
  TransformerSeq2Seq plain(c);  // the same network without the copy head
  plain.eval();
  std::map<std::string, Tensor> weights;
  for (const auto& [name, p] : m.named_parameters()) weights[name] = p;
  for (const auto& [name, p] : plain.named_parameters()) p.data().copy_(weights.at(name).data());
  const NDArray want = log_softmax(plain.forward(batch_of(src, lengths, tgt)), -1).data();
  CHECK(max_abs_diff(generated, want) < 1e-4f);
}

// Teacher forcing scatters the copy attention onto the vocabulary for all positions at once;
// step() adds it row by row. Both give the same log-probabilities, with a token that appears
// twice in a source (its two attention weights add up) and padding in the batch.
TEST_CASE(
    "copy: teacher forcing and step-by-step decoding agree, repeated source tokens included") {
  TransformerSeq2Seq m(tiny_copy());
  m.eval();
  set_gate_bias(m, 0.0f);  // both terms of the mixture matter
  const IndexArray src({4, 5, 4, 7, 8, 8, 9, 0}, {2, 4});
  const std::vector<int64_t> lengths{4, 3};
  const IndexArray tgt({kBosId, 4, 5, kBosId, 8, 9}, {2, 3});
  const NDArray forced = m.forward(batch_of(src, lengths, tgt)).data();  // (2, 3, V)
  auto state = m.start(src, lengths);
  for (int64_t t = 0; t < 3; ++t) {
    const NDArray stepped = m.step(IndexArray({tgt[t], tgt[3 + t]}), *state).data();  // (2, V)
    for (int64_t b = 0; b < 2; ++b)
      CHECK(max_abs_diff(stepped.select(0, b), forced.select(0, b).select(0, t)) < 1e-4f);
  }
}

TEST_CASE("copy: gradients of the copy head and the embeddings match finite differences") {
  ModelConfig c = tiny_copy();
  c.hidden_size = 8;
  c.num_heads = 2;
  TransformerSeq2Seq m(c);
  m.eval();
  const IndexArray src({4, 5, 6, 7, 8, 9, 0, 0}, {2, 4});
  const IndexArray tgt({kBosId, 4, 5, kBosId, 10, 8}, {2, 3});
  std::vector<Tensor> inputs;
  for (const auto& [name, p] : m.named_parameters())
    if (name.rfind("copy_", 0) == 0 || name == "src_embed.weight") inputs.push_back(p);
  REQUIRE(inputs.size() == 4);
  // A small step: the log of small probabilities bends faster than a 1e-2 step can follow.
  testing::check_gradients(
      [&](const std::vector<Tensor>&) {
        return m.forward(batch_of(src, {4, 2}, tgt));
      },
      inputs, {.eps = 1e-3f, .atol = 2e-2f, .rtol = 2e-2f});
}

TEST_CASE("copy: refused for other architectures and for two vocabularies") {
  ModelConfig c = tiny_copy();
  c.tgt_vocab_size = 9;
  CHECK_THROWS_WITH_AS(validate(c), doctest::Contains("one vocabulary for both sides"), Error);
  ModelConfig rnn = preset(Architecture::kRnnAttention, "tiny");
  rnn.copy = true;
  CHECK_THROWS_WITH_AS(validate(rnn), doctest::Contains("transformer only"), Error);
  const ModelConfig back = from_json_string(to_json_string(tiny_copy()));
  CHECK(back.copy);
}
