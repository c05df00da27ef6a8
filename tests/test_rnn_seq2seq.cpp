// RnnSeq2Seq (no attention): parameter names, the source reaching the decoder only through the
// final state, forward composed from the submodules for every cell, and every error path. The
// behaviour every model shares (incremental = full, select, padding, training) is checked for each
// cell in test_factory.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/rnn_seq2seq.h"
#include "support/check.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::batch_of;
using testing::check_close;
using testing::child;
using testing::ForeignState;
using testing::parameter_shapes;

namespace {

ModelConfig tiny(CellType cell, int64_t layers = 1) {
  ModelConfig c = preset(Architecture::kRnn, "tiny");
  c.cell = cell;
  c.src_vocab_size = 11;
  c.tgt_vocab_size = 9;
  c.embedding_dim = 6;
  c.hidden_size = 8;
  c.encoder_layers = c.decoder_layers = layers;
  c.dropout = 0.0f;
  return c;
}

}  // namespace

TEST_CASE("RnnSeq2Seq has torch's parameter names and layouts") {
  const RnnSeq2Seq lstm(tiny(CellType::kLstm, 2));
  const auto s = parameter_shapes(lstm);
  CHECK(s.size() == 2 + 2 * 8 + 2);
  CHECK(s.at("src_embed.weight") == Shape{11, 6});
  CHECK(s.at("tgt_embed.weight") == Shape{9, 6});
  CHECK(s.at("encoder.weight_ih_l0") == Shape{32, 6});
  CHECK(s.at("encoder.weight_hh_l1") == Shape{32, 8});
  CHECK(s.at("decoder.weight_ih_l1") == Shape{32, 8});
  CHECK(s.at("decoder.bias_hh_l0") == Shape{32});
  CHECK(s.at("out.weight") == Shape{9, 8});
  CHECK(s.at("out.bias") == Shape{9});
  const RnnSeq2Seq gru(tiny(CellType::kGru));
  CHECK(parameter_shapes(gru).at("encoder.weight_ih_l0") == Shape{24, 6});
  // The padding rows of the embeddings are zero.
  CHECK(lstm.named_parameters()[0].second.data().select(0, kPadId).to_vector() ==
        std::vector<float>(6, 0.0f));
}

TEST_CASE("RnnSeq2Seq: the source reaches the decoder through the final state only") {
  RnnSeq2Seq model(tiny(CellType::kGru));
  model.eval();
  const IndexArray a({4, 5, 6, 7}, {1, 4}), b({8, 5, 6, 7}, {1, 4});
  const IndexArray bos({kBosId});
  auto sa = model.start(a, {4});
  auto sb = model.start(b, {4});
  const auto la = model.step(bos, *sa).to_vector(), lb = model.step(bos, *sb).to_vector();
  CHECK(la != lb);  // a different first source token changes the prediction
  CHECK_FALSE(sa->last_attention().defined());  // no attention to show
  // Log-probabilities: each row sums to 1 in probability.
  double total = 0.0;
  for (float v : la) total += std::exp(v);
  CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
}

// forward() composed by hand from the submodules: the decoder starts from the encoder's final
// state, h and (for the LSTM) c of every layer.
TEST_CASE("RnnSeq2Seq: the decoder starts from the encoder's final state, for every cell") {
  const IndexArray src({4, 5, 6, 7, 8, 0}, {2, 3});
  const IndexArray tgt_in({kBosId, 4, 5, kBosId, 6, kPadId}, {2, 3});
  for (CellType cell : {CellType::kRnnTanh, CellType::kLstm, CellType::kGru}) {
    CAPTURE(static_cast<int>(cell));
    RnnSeq2Seq model(tiny(cell, 2));
    const auto& encoder = child<nn::RecurrentLayer>(model, "encoder");
    const auto& decoder = child<nn::RecurrentLayer>(model, "decoder");
    CHECK(encoder.cell_type() == cell);
    CHECK(decoder.cell_type() == cell);
    const nn::RecurrentOutput enc =
        encoder.forward(child<nn::Embedding>(model, "src_embed").forward(src), {}, {3, 2});
    CHECK(enc.c_n.defined() == (cell == CellType::kLstm));
    const nn::RecurrentOutput dec = decoder.forward(
        child<nn::Embedding>(model, "tgt_embed").forward(tgt_in), {enc.h_n, enc.c_n});
    const Tensor want = child<nn::Linear>(model, "out").forward(dec.output);
    check_close(model.forward(batch_of(src, {3, 2}, tgt_in)).data(), want.data());
  }
}

TEST_CASE("RnnSeq2Seq refuses bad inputs, states and configs") {
  RnnSeq2Seq model(tiny(CellType::kGru));
  const IndexArray src({4, 5, 6, 7, 8, 0}, {2, 3});
  const IndexArray tgt({2, 4, 2, 5}, {2, 2});
  const auto err = [](auto&& f) {
    CHECK_THROWS_WITH_AS(f(), doctest::Contains("[rnn_seq2seq]"), Error);
  };
  err([&] { model.forward(batch_of(src, {3}, tgt)); });
  err([&] { model.forward(batch_of(src, {3, 4}, tgt)); });
  err([&] { model.forward(batch_of(src, {3, 2}, IndexArray({2, 4}, {1, 2}))); });
  err([&] { model.start(IndexArray({4, 5}), {2}); });
  auto state = model.start(src, {3, 2});
  err([&] { model.step(IndexArray({2, 2, 2}), *state); });
  err([&] { state->select(IndexArray({0, 2})); });
  ForeignState foreign;
  err([&] { model.step(IndexArray({2, 2}), foreign); });
  ModelConfig tied = tiny(CellType::kGru);
  tied.tie_embeddings = true;
  CHECK_THROWS_WITH_AS(RnnSeq2Seq{tied}, doctest::Contains("[model_config] tie_embeddings"), Error);
  ModelConfig wrong = preset(Architecture::kRnnAttention, "tiny");
  CHECK_THROWS_WITH_AS(RnnSeq2Seq{wrong}, doctest::Contains("[rnn_seq2seq] needs architecture rnn"),
                       Error);
  CHECK_THROWS_WITH_AS(
      model.forward(batch_of(IndexArray({4, 99}, {1, 2}), {2}, IndexArray({2}, {1, 1}))),
      doctest::Contains("[embedding]"), Error);
}
