#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/nn.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/core/random.h"
#include "ember/optim/adam.h"
#include "ember/seq2seq/models/convs2s.h"
#include "ember/seq2seq/search/beam.h"
#include "ember/seq2seq/search/greedy.h"
#include "support/check.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::batch_of;
using testing::column;
using testing::padded;

namespace {

ModelConfig tiny_config(int64_t kernel = 3) {
  ModelConfig c = preset(Architecture::kConvS2S, "tiny");
  c.src_vocab_size = 11;
  c.tgt_vocab_size = 9;
  c.embedding_dim = 8;
  c.hidden_size = 12;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.kernel_size = kernel;
  c.max_positions = 16;
  c.dropout = 0.0f;
  c.tie_embeddings = true;
  return c;
}

const std::vector<std::vector<int64_t>> kSources = {{4, 5, 6, 7, 8}, {9, 10}, {5, 5, 6}};
const std::vector<int64_t> kLengths = {5, 2, 3};
const std::vector<std::vector<int64_t>> kTargets = {
    {kBosId, 4, 5, 6, 7}, {kBosId, 8, 4, 3, 5}, {kBosId, 6, 6, 4, 8}};

// Checks that stepping through tgt gives log_softmax(forward) at every position.
void check_incremental_equals_full(ConvS2S& model) {
  NoGradGuard no_grad;
  const IndexArray src = padded(kSources), tgt = padded(kTargets);
  const NDArray full = log_softmax(model.forward(batch_of(src, kLengths, tgt)), 2).data();
  std::unique_ptr<DecoderState> state = model.start(src, kLengths);
  for (int64_t t = 0; t < tgt.size(1); ++t) {
    const NDArray got = model.step(column(tgt, t), *state).data();
    testing::check_close(got, full.select(1, t).contiguous(), 1e-4f);
  }
}

}  // namespace

TEST_CASE("convs2s forward gives (B, T, V) logits and torch-style parameter names") {
  ConvS2S model(tiny_config());
  const Tensor logits = model.forward(batch_of(padded(kSources), kLengths, padded(kTargets)));
  CHECK(logits.shape() == Shape{3, 5, 9});
  const std::map<std::string, Shape> shapes = testing::parameter_shapes(model);
  CHECK(shapes.at("encoder.embed_tokens.weight") == Shape{11, 8});
  CHECK(shapes.at("encoder.embed_positions.weight") == Shape{16, 8});
  CHECK(shapes.at("encoder.fc1.weight") == Shape{12, 8});
  CHECK(shapes.at("encoder.convolutions.1.weight") == Shape{24, 12, 3});
  CHECK(shapes.at("encoder.fc2.weight") == Shape{8, 12});
  CHECK(shapes.at("decoder.convolutions.0.bias") == Shape{24});
  CHECK(shapes.at("decoder.attention.1.in_projection.weight") == Shape{8, 12});
  CHECK(shapes.at("decoder.attention.1.out_projection.weight") == Shape{12, 8});
  CHECK(shapes.at("decoder.fc2.weight") == Shape{8, 12});
  CHECK(shapes.count("decoder.fc3.weight") == 0);  // tied to decoder.embed_tokens
  ModelConfig untied = tiny_config();
  untied.tie_embeddings = false;
  ConvS2S model2(untied);
  CHECK(model2.state_dict().at("decoder.fc3.weight").shape() == Shape{9, 8});
  CHECK(model.describe().find("convs2s") != std::string::npos);
  CHECK(make_convs2s(tiny_config())->num_parameters() == model.num_parameters());
}

TEST_CASE("convs2s incremental decoding equals teacher-forced decoding") {
  for (int64_t kernel : {3, 2, 1}) {
    CAPTURE(kernel);
    ConvS2S model(tiny_config(kernel));
    model.eval();
    check_incremental_equals_full(model);
  }
  ModelConfig c = tiny_config();
  c.dropout = 0.3f;  // eval mode turns it off
  ConvS2S model(c);
  model.eval();
  check_incremental_equals_full(model);
}

TEST_CASE("convs2s is invariant to source padding") {
  ConvS2S model(tiny_config());
  model.eval();
  NoGradGuard no_grad;
  const IndexArray src = padded(kSources), tgt = padded(kTargets);
  const NDArray batch = model.forward(batch_of(src, kLengths, tgt)).data();
  for (size_t i = 0; i < kSources.size(); ++i) {
    const NDArray alone =
        model.forward(batch_of(padded({kSources[i]}), {kLengths[i]}, padded({kTargets[i]}))).data();
    testing::check_close(batch.narrow(0, static_cast<int64_t>(i), 1).contiguous(), alone, 1e-4f);
  }
}

TEST_CASE("convs2s attention: per layer, averaged, zero on padding") {
  ConvS2S model(tiny_config());
  model.eval();
  NoGradGuard no_grad;
  std::unique_ptr<DecoderState> state = model.start(padded(kSources), kLengths);
  auto& s = dynamic_cast<ConvS2SState&>(*state);
  CHECK(s.layer_attention().size() == 2);
  CHECK_FALSE(s.last_attention().defined());
  model.step(IndexArray({kBosId, kBosId, kBosId}), *state);
  const NDArray mean = s.last_attention();
  REQUIRE(mean.shape() == Shape{3, 5});
  for (int64_t b = 0; b < 3; ++b) {
    float total = 0.0f;
    for (int64_t j = 0; j < 5; ++j) {
      const float want =
          0.5f * (s.layer_attention()[0].at({b, j}) + s.layer_attention()[1].at({b, j}));
      CHECK(mean.at({b, j}) == doctest::Approx(want));
      if (j >= kLengths[b]) CHECK(mean.at({b, j}) == 0.0f);
      total += mean.at({b, j});
    }
    CHECK(total == doctest::Approx(1.0f));
  }
}

TEST_CASE("convs2s state select reorders, repeats and drops hypotheses") {
  ConvS2S model(tiny_config());
  model.eval();
  NoGradGuard no_grad;
  const IndexArray src = padded(kSources), tgt = padded(kTargets);
  std::unique_ptr<DecoderState> a = model.start(src, kLengths);
  std::unique_ptr<DecoderState> b = model.start(src, kLengths);
  for (int64_t t = 0; t < 2; ++t) {
    model.step(column(tgt, t), *a);
    model.step(column(tgt, t), *b);
  }
  const std::vector<int64_t> rows = {2, 0, 0, 1};
  b->select(IndexArray(rows));
  testing::check_close(b->last_attention(),
                       core::index_select(a->last_attention(), 0, IndexArray(rows)));
  const NDArray want = model.step(column(tgt, 2), *a).data();
  std::vector<int64_t> tokens;
  for (int64_t r : rows) tokens.push_back(column(tgt, 2)[r]);
  const NDArray got = model.step(IndexArray(tokens), *b).data();
  testing::check_close(got, core::index_select(want, 0, IndexArray(rows)), 1e-5f);
  b->select(IndexArray({1}));  // the batch shrinks to sentence 0
  const NDArray next = model.step(IndexArray({6}), *b).data();
  const NDArray ref = model.step(IndexArray({6, 6, 6}), *a).data();
  testing::check_close(next, ref.narrow(0, 0, 1).contiguous(), 1e-5f);
}

TEST_CASE("convs2s gradients match finite differences") {
  ModelConfig c = tiny_config();
  c.embedding_dim = 4;
  c.hidden_size = 4;
  c.max_positions = 6;
  ConvS2S model(c);
  const IndexArray src = padded({{4, 5, 6}, {7, 8}}),
                   tgt = padded({{kBosId, 4, 5}, {kBosId, 6, 7}});
  testing::check_gradients(
      [&](const std::vector<Tensor>&) {
        return model.forward(batch_of(src, {3, 2}, tgt));
      },
      model.parameters());
}

TEST_CASE("convs2s learns to copy: the loss falls, and greedy and beam search agree") {
  core::manual_seed(5);
  ModelConfig c = tiny_config();
  c.src_vocab_size = c.tgt_vocab_size = 10;
  c.embedding_dim = c.hidden_size = 32;
  ConvS2S model(c);
  optim::Adam adam(model.parameters(), {.lr = 3e-3f});
  core::Generator gen(11);
  float first = 0.0f, last = 0.0f;
  for (int step = 0; step < 150; ++step) {
    std::vector<std::vector<int64_t>> src, tgt_in, tgt_out;
    std::vector<int64_t> lengths;
    for (int b = 0; b < 16; ++b) {
      const int64_t n = 2 + gen.randint(3);
      std::vector<int64_t> s;
      for (int64_t i = 0; i < n; ++i) s.push_back(4 + gen.randint(6));
      std::vector<int64_t> in = {kBosId}, out = s;
      in.insert(in.end(), s.begin(), s.end());
      out.push_back(kEosId);
      src.push_back(s), tgt_in.push_back(in), tgt_out.push_back(out), lengths.push_back(n);
    }
    const Tensor logits = model.forward(batch_of(padded(src), lengths, padded(tgt_in)));
    const Tensor loss = cross_entropy(logits, padded(tgt_out), {.ignore_index = kPadId});
    adam.zero_grad();
    loss.backward();
    adam.step();
    (step == 0 ? first : last) = loss.item();
  }
  CHECK(last < 0.5f * first);
  model.eval();
  const std::vector<std::vector<int64_t>> test = {{4, 7, 9}, {5, 6}, {8, 8, 4, 9}};
  const std::vector<int64_t> lengths = {3, 2, 4};
  const std::vector<Hypothesis> greedy = greedy_search(model, padded(test), lengths);
  BeamOptions options;
  options.beam_size = 4;
  const std::vector<Hypothesis> beam = beam_search(model, padded(test), lengths, options);
  options.beam_size = 1;
  const std::vector<Hypothesis> beam1 = beam_search(model, padded(test), lengths, options);
  for (size_t i = 0; i < test.size(); ++i) {
    CHECK(greedy[i].tokens == test[i]);
    CHECK(beam[i].tokens == test[i]);
    CHECK(beam1[i].tokens == greedy[i].tokens);
    CHECK(beam1[i].log_prob == doctest::Approx(greedy[i].log_prob).epsilon(1e-4));
  }
}

TEST_CASE("convs2s checks its config, inputs and states") {
  ModelConfig wrong = tiny_config();
  wrong.architecture = Architecture::kTransformer;
  CHECK_THROWS_WITH_AS(ConvS2S{wrong}, doctest::Contains("[convs2s] needs a convs2s config"),
                       Error);
  ConvS2S model(tiny_config()), other(tiny_config());
  const IndexArray src = padded(kSources), tgt = padded(kTargets);
  CHECK_THROWS_WITH_AS(model.forward(batch_of(src, {5, 2}, tgt)), doctest::Contains("[convs2s]"),
                       Error);
  CHECK_THROWS_WITH_AS(model.forward(batch_of(src, kLengths, padded({{kBosId}}))),
                       doctest::Contains("[convs2s]"), Error);
  CHECK_THROWS_WITH_AS(model.start(src, {5, 2, 9}), doctest::Contains("[convs2s]"), Error);
  std::unique_ptr<DecoderState> state = model.start(src, kLengths);
  CHECK_THROWS_WITH_AS(model.step(IndexArray({kBosId}), *state),
                       doctest::Contains("[convs2s] tokens (1,)"), Error);
  CHECK_THROWS_WITH_AS(other.step(IndexArray({kBosId, kBosId, kBosId}), *state),
                       doctest::Contains("[convs2s] step needs a state"), Error);
  CHECK_THROWS_WITH_AS(state->select(IndexArray({0, 3})),
                       doctest::Contains("[convs2s] select: row 3"), Error);
}
