// EnsembleModel (seq2seq/models/ensemble.h): the mean of the members' probabilities at each step,
// behind the Seq2SeqModel interface that greedy and beam search decode.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/core/softmax.h"
#include "ember/seq2seq/models/ensemble.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/search/beam.h"
#include "ember/seq2seq/search/greedy.h"
#include "support/scripted_model.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::noisy;
using testing::padded;
using testing::ScriptedModel;

namespace {

// Another fixed distribution than noisy's, so that two members disagree.
std::vector<float> other(int64_t key, int64_t previous, int64_t t) {
  return noisy(key * 7 + 3, previous * 5 + 1, t + 1);
}

std::vector<float> mixture(int64_t key, int64_t previous, int64_t t) {
  const std::vector<float> a = noisy(key, previous, t), b = other(key, previous, t);
  std::vector<float> p(a.size());
  for (size_t v = 0; v < p.size(); ++v) p[v] = 0.5f * (a[v] + b[v]);
  return p;
}

std::shared_ptr<Seq2SeqModel> scripted(testing::Script script, int64_t vocab = 8) {
  return std::make_shared<ScriptedModel>(std::move(script), vocab);
}

// Three sentences whose first tokens (the scripts' keys) differ, so that a state row read for
// another sentence changes the distribution.
const IndexArray kSource = padded({{4, 5}, {6}, {7, 4, 5}});
const std::vector<int64_t> kLengths = {2, 1, 3};

std::vector<std::vector<int64_t>> tokens_of(const std::vector<Hypothesis>& hyps) {
  std::vector<std::vector<int64_t>> out;
  for (const Hypothesis& h : hyps) out.push_back(h.tokens);
  return out;
}

ModelConfig tiny(Architecture arch) {
  ModelConfig c = preset(arch, "tiny");
  c.src_vocab_size = 11;
  c.tgt_vocab_size = 13;
  c.hidden_size = 16;
  c.embedding_dim = 16;
  c.feedforward_dim = 24;
  c.num_heads = 2;
  c.max_positions = 64;
  c.dropout = 0.0f;
  return c;
}

std::shared_ptr<Seq2SeqModel> tiny_model(Architecture arch, uint64_t seed) {
  core::manual_seed(seed);
  auto model = make_model(tiny(arch));
  model->eval();
  return model;
}

float max_abs_diff(const NDArray& a, const NDArray& b) {
  REQUIRE(a.shape() == b.shape());
  const NDArray x = a.contiguous(), y = b.contiguous();
  float worst = 0.0f;
  for (int64_t i = 0; i < x.numel(); ++i)
    worst = std::max(worst, std::fabs(x.data()[i] - y.data()[i]));
  return worst;
}

}  // namespace

TEST_CASE("an ensemble of one model steps exactly as that model") {
  auto model = scripted(noisy);
  EnsembleModel ensemble({model});
  auto mine = ensemble.start(kSource, kLengths);
  auto its = model->start(kSource, kLengths);
  const IndexArray previous({kBosId, kBosId, kBosId});
  CHECK(max_abs_diff(ensemble.step(previous, *mine).data(), model->step(previous, *its).data()) ==
        0.0f);
  CHECK(greedy_search(ensemble, kSource, kLengths)[0].tokens ==
        greedy_search(*model, kSource, kLengths)[0].tokens);
}

TEST_CASE("an ensemble step is the log of the mean of the members' probabilities") {
  auto a = scripted(noisy), b = scripted(other);
  EnsembleModel ensemble({a, b});
  auto state = ensemble.start(kSource, kLengths);
  const NDArray logp = ensemble.step(IndexArray({kBosId, 5, 6}), *state).data();
  REQUIRE(logp.shape() == Shape{3, 8});
  const std::vector<int64_t> keys = {4, 6, 7}, previous = {kBosId, 5, 6};
  for (int64_t r = 0; r < 3; ++r) {
    const std::vector<float> p = mixture(keys[r], previous[r], 0);
    for (int64_t v = 0; v < 8; ++v) {
      INFO("row " << r << " token " << v);
      CHECK(logp.data()[r * 8 + v] == doctest::Approx(std::log(p[v])).epsilon(1e-5));
    }
  }
}

TEST_CASE("an ensemble of a model with itself decodes as that model, greedy and beam") {
  auto model = scripted(noisy);
  EnsembleModel twice({model, model});
  CHECK(tokens_of(greedy_search(twice, kSource, kLengths)) ==
        tokens_of(greedy_search(*model, kSource, kLengths)));
  const BeamOptions options{.beam_size = 3, .length_penalty = 1.0f};
  const auto mine = beam_search(twice, kSource, kLengths, options);
  const auto its = beam_search(*model, kSource, kLengths, options);
  CHECK(tokens_of(mine) == tokens_of(its));
  for (size_t i = 0; i < its.size(); ++i) CHECK(mine[i].score == doctest::Approx(its[i].score));
}

TEST_CASE("beam search over an ensemble reorders every member's state") {
  // A model whose script is the mixture decodes what the ensemble must: any member state left
  // in the old order would read another sentence's or hypothesis's row.
  auto a = scripted(noisy), b = scripted(other);
  EnsembleModel ensemble({a, b});
  ScriptedModel reference(mixture);
  for (const int64_t k : {1, 2, 4}) {
    INFO("beam " << k);
    const BeamOptions options{.beam_size = k, .length_penalty = 0.6f, .n_best = k};
    const auto mine = beam_search_nbest(ensemble, kSource, kLengths, options);
    const auto want = beam_search_nbest(reference, kSource, kLengths, options);
    REQUIRE(mine.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      CHECK(tokens_of(mine[i]) == tokens_of(want[i]));
      for (size_t j = 0; j < want[i].size() && j < mine[i].size(); ++j)
        CHECK(mine[i][j].log_prob == doctest::Approx(want[i][j].log_prob).epsilon(1e-4));
    }
  }
  CHECK(tokens_of(greedy_search(ensemble, kSource, kLengths)) ==
        tokens_of(greedy_search(reference, kSource, kLengths)));
}

TEST_CASE("the ensemble's attention is the mean of its members'") {
  auto a = std::make_shared<ScriptedModel>(noisy), b = std::make_shared<ScriptedModel>(other);
  EnsembleModel ensemble({a, b});
  auto state = ensemble.start(kSource, kLengths);
  ensemble.step(IndexArray({kBosId, kBosId, kBosId}), *state);
  // Both scripted members put weight 1 on position min(t - 1, length - 1): the mean does too.
  const NDArray attention = state->last_attention();
  REQUIRE(attention.shape() == Shape{3, 3});
  CHECK(attention.data()[0] == 1.0f);
  CHECK(attention.data()[1] == 0.0f);
}

TEST_CASE("models of different architectures ensemble; forward is the same mixture") {
  auto transformer = tiny_model(Architecture::kTransformer, 1);
  auto rnn = tiny_model(Architecture::kRnnAttention, 2);
  EnsembleModel ensemble({transformer, rnn});
  CHECK(ensemble.describe().find("ensemble of 2") == 0);
  CHECK(ensemble.num_parameters() == transformer->num_parameters() + rnn->num_parameters());
  const IndexArray src = padded({{4, 5, 2}, {6, 2}});
  const std::vector<int64_t> lengths = {3, 2};
  const Batch batch = testing::batch_of(src, lengths, padded({{kBosId, 7, 8}, {kBosId, 9, 0}}),
                                        padded({{7, 8, kEosId}, {9, kEosId, 0}}));
  const NDArray mix = ensemble.forward(batch).data();
  const NDArray pa = core::softmax(transformer->forward(batch).data(), 2);
  const NDArray pb = core::softmax(rnn->forward(batch).data(), 2);
  REQUIRE(mix.shape() == pa.shape());
  for (int64_t i = 0; i < mix.numel(); ++i)
    CHECK(mix.data()[i] ==
          doctest::Approx(std::log(0.5 * (pa.data()[i] + pb.data()[i]))).epsilon(1e-4));
  CHECK(std::isfinite(ensemble.loss(batch, {}).item()));
  // Each member's own greedy decode is unchanged by being in an ensemble of one.
  EnsembleModel alone({rnn});
  CHECK(tokens_of(greedy_search(alone, src, lengths)) ==
        tokens_of(greedy_search(*rnn, src, lengths)));
  const auto both = beam_search(ensemble, src, lengths, {.beam_size = 3});
  CHECK(both.size() == 2);
}

TEST_CASE("ensemble errors: no member, another vocabulary size, a foreign state") {
  CHECK_THROWS_WITH_AS(EnsembleModel({}), doctest::Contains("[ensemble] needs at least one"),
                       Error);
  CHECK_THROWS_WITH_AS(EnsembleModel({nullptr}), doctest::Contains("member 0 is null"), Error);
  const auto nine = [](int64_t key, int64_t previous, int64_t t) {
    std::vector<float> p = noisy(key, previous, t);
    p.push_back(1e-3f);
    return p;
  };
  EnsembleModel mixed({scripted(noisy), scripted(nine, 9)});
  auto state = mixed.start(kSource, kLengths);
  CHECK_THROWS_WITH_AS(mixed.step(IndexArray({kBosId, kBosId, kBosId}), *state),
                       doctest::Contains("member 1 returned (3, 9) but member 0 returned (3, 8)"),
                       Error);
  testing::ForeignState foreign;
  CHECK_THROWS_WITH_AS(mixed.step(IndexArray({kBosId}), foreign),
                       doctest::Contains("a state made by this ensemble's start()"), Error);
}
