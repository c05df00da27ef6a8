// make_model and the behaviour every model must have, checked on each architecture and variant at
// tiny sizes: logits shape, incremental decoding equal to teacher forcing, select() reordering
// the state, padding invariance, and a few training steps on a copy task lowering the loss.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/optim/adam.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/factory.h"
#include "support/check.h"
#include "support/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;
using testing::batch_of;
using testing::column;
using testing::max_abs_diff;

namespace {

constexpr int64_t kVocab = 13;

ModelConfig tiny(Architecture arch) {
  ModelConfig c = preset(arch, "tiny");
  c.src_vocab_size = kVocab;
  c.tgt_vocab_size = kVocab + 2;  // different sizes catch a mixed-up vocabulary
  c.hidden_size = 16;
  c.embedding_dim = 12;
  c.feedforward_dim = 24;
  c.num_heads = 2;
  c.max_positions = 64;
  c.dropout = 0.0f;
  return c;
}

// Every variant of every architecture the checks run on, with a name for the failure messages.
std::vector<std::pair<std::string, ModelConfig>> variants() {
  std::vector<std::pair<std::string, ModelConfig>> out;
  for (CellType cell : {CellType::kGru, CellType::kLstm, CellType::kRnnTanh}) {
    ModelConfig c = tiny(Architecture::kRnn);
    c.cell = cell;
    c.encoder_layers = c.decoder_layers = cell == CellType::kLstm ? 2 : 1;
    out.emplace_back(std::string("rnn ") + to_string(cell), c);
  }
  for (AttentionScore score : {AttentionScore::kDot, AttentionScore::kScaledDot,
                               AttentionScore::kGeneral, AttentionScore::kAdditive}) {
    ModelConfig c = tiny(Architecture::kRnnAttention);
    c.attention = score;
    out.emplace_back(std::string("rnn_attention gru ") + to_string(score), c);
  }
  ModelConfig lstm = tiny(Architecture::kRnnAttention);
  lstm.cell = CellType::kLstm;
  lstm.encoder_layers = 2;
  lstm.decoder_layers = 2;
  lstm.attention_dim = 10;
  out.emplace_back("rnn_attention lstm 2 layers", lstm);
  for (bool norm_first : {true, false}) {
    ModelConfig c = tiny(Architecture::kTransformer);
    c.norm_first = norm_first;
    c.tie_embeddings = norm_first;
    out.emplace_back(norm_first ? "transformer pre-norm tied" : "transformer post-norm untied", c);
  }
  ModelConfig copy = tiny(Architecture::kTransformer);
  copy.copy = true;
  copy.src_vocab_size = copy.tgt_vocab_size;  // one vocabulary for both sides
  out.emplace_back("transformer copy", copy);
  return out;
}

// Token ids in [4, vocab): no special token.
IndexArray random_ids(int64_t rows, int64_t cols, int64_t vocab) {
  std::vector<int64_t> v(static_cast<size_t>(rows * cols));
  for (auto& x : v)
    x = kNumSpecialTokens + core::default_generator().randint(vocab - kNumSpecialTokens);
  return IndexArray(v, {rows, cols});
}

// src with its rows cut to `lengths` (pad after) and `extra` more pad columns.
IndexArray pad_to(const IndexArray& src, const std::vector<int64_t>& lengths, int64_t extra) {
  const int64_t b = src.size(0), s = src.size(1), w = s + extra;
  std::vector<int64_t> v(static_cast<size_t>(b * w), kPadId);
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = 0; j < lengths[static_cast<size_t>(i)]; ++j) v[i * w + j] = src[i * s + j];
  return IndexArray(v, {b, w});
}

// Rows `rows` of ids (B, L), or of a vector.
IndexArray pick(const IndexArray& ids, const std::vector<int64_t>& rows) {
  std::vector<int64_t> v;
  const int64_t w = ids.dim() == 2 ? ids.size(1) : 1;
  for (int64_t r : rows)
    for (int64_t j = 0; j < w; ++j) v.push_back(ids[r * w + j]);
  return ids.dim() == 2 ? IndexArray(v, {static_cast<int64_t>(rows.size()), w}) : IndexArray(v);
}
std::vector<int64_t> pick(const std::vector<int64_t>& xs, const std::vector<int64_t>& rows) {
  std::vector<int64_t> v;
  for (int64_t r : rows) v.push_back(xs[static_cast<size_t>(r)]);
  return v;
}

struct Sample {
  IndexArray src, tgt_in;
  std::vector<int64_t> lengths;
};

Sample sample(const ModelConfig& c) {
  const std::vector<int64_t> lengths{6, 4, 2};
  IndexArray src = pad_to(random_ids(3, 6, c.src_vocab_size), lengths, 0);
  IndexArray tgt = random_ids(3, 5, c.tgt_vocab_size);
  std::vector<int64_t> t(tgt.values());
  for (int64_t b = 0; b < 3; ++b) t[b * 5] = kBosId;
  return {src, IndexArray(t, {3, 5}), lengths};
}

void check_incremental_equals_full(Seq2SeqModel& model, const ModelConfig& c) {
  const Sample s = sample(c);
  const NDArray full = log_softmax(model.forward(batch_of(s.src, s.lengths, s.tgt_in)), -1).data();
  CHECK(full.shape() == Shape{3, 5, c.tgt_vocab_size});
  auto state = model.start(s.src, s.lengths);
  for (int64_t t = 0; t < 5; ++t) {
    const NDArray step = model.step(column(s.tgt_in, t), *state).data();
    CHECK(max_abs_diff(step, full.select(1, t)) < 1e-4f);
  }
}

// Reordering after two steps, with rows repeated and dropped, then a reorder within each source
// (the beam-search pattern), equals running the reordered hypotheses from the start.
void check_select(Seq2SeqModel& model, const ModelConfig& c) {
  const Sample s = sample(c);
  const IndexArray a = column(random_ids(4, 1, c.tgt_vocab_size), 0);
  const IndexArray b = column(random_ids(4, 1, c.tgt_vocab_size), 0);
  const std::vector<int64_t> expand{2, 0, 0, 1}, swap{0, 2, 1, 3};
  auto state = model.start(s.src, s.lengths);
  model.step(column(s.tgt_in, 0), *state);
  state->select(IndexArray(expand));
  model.step(a, *state);
  state->select(IndexArray(swap));  // rows 1 and 2 both read source 0: a reorder within it
  const NDArray got = model.step(b, *state).data();
  const NDArray got_att = state->last_attention();

  const std::vector<int64_t> rows = pick(expand, swap);  // source row of each final hypothesis
  auto ref = model.start(pick(s.src, rows), pick(s.lengths, rows));
  model.step(pick(column(s.tgt_in, 0), rows), *ref);
  model.step(pick(a, swap), *ref);
  CHECK(max_abs_diff(got, model.step(b, *ref).data()) < 1e-5f);
  if (got_att.defined()) CHECK(max_abs_diff(got_att, ref->last_attention()) < 1e-5f);
}

// Extra padding columns change nothing: teacher forcing and decoding alike.
void check_padding_invariance(Seq2SeqModel& model, const ModelConfig& c) {
  const Sample s = sample(c);
  const IndexArray longer = pad_to(s.src, s.lengths, 3);
  CHECK(max_abs_diff(model.forward(batch_of(s.src, s.lengths, s.tgt_in)).data(),
                     model.forward(batch_of(longer, s.lengths, s.tgt_in)).data()) < 1e-5f);
  auto x = model.start(s.src, s.lengths);
  auto y = model.start(longer, s.lengths);
  for (int64_t t = 0; t < 3; ++t) {
    const IndexArray tokens = column(s.tgt_in, t);
    CHECK(max_abs_diff(model.step(tokens, *x).data(), model.step(tokens, *y).data()) < 1e-5f);
    const NDArray ax = x->last_attention(), ay = y->last_attention();
    if (!ax.defined()) continue;
    CHECK(max_abs_diff(ax, ay.narrow(1, 0, 6)) < 1e-6f);
    CHECK(ay.narrow(1, 6, 3).to_vector() == std::vector<float>(9, 0.0f));
  }
}

// loss() (linear_cross_entropy where the model overrides it) must equal cross_entropy of
// forward(), with the same gradient for every parameter; eval mode, so dropout draws nothing.
void check_loss_equals_forward(Seq2SeqModel& model, const ModelConfig& c) {
  const Sample s = sample(c);
  const IndexArray tgt_out = random_ids(3, 5, c.tgt_vocab_size);
  const CrossEntropyOptions options{.ignore_index = tgt_out[2], .label_smoothing = 0.1f};
  const auto gradients = [&](const Tensor& loss) {
    for (Tensor& p : model.parameters()) p.zero_grad();
    loss.backward();
    std::vector<NDArray> out;
    for (const Tensor& p : model.parameters()) out.push_back(p.grad());
    return out;
  };
  const Tensor fused = model.loss(batch_of(s.src, s.lengths, s.tgt_in, tgt_out), options);
  const Tensor composed =
      cross_entropy(model.forward(batch_of(s.src, s.lengths, s.tgt_in)), tgt_out, options);
  CHECK(fused.item() == doctest::Approx(composed.item()).epsilon(1e-5));
  const std::vector<NDArray> want = gradients(composed), got = gradients(fused);
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    REQUIRE(got[i].defined() == want[i].defined());
    if (want[i].defined()) CHECK(max_abs_diff(got[i], want[i]) < 1e-5f);
  }
}

// Copy 5 tokens: 60 Adam steps on one batch of 8 must cut the loss by more than half.
void check_training(Seq2SeqModel& model, const ModelConfig& c) {
  const int64_t n = 8, len = 5;
  const IndexArray src = random_ids(n, len, std::min(c.src_vocab_size, c.tgt_vocab_size));
  std::vector<int64_t> in, out;  // <s> x1..x5 -> x1..x5 </s>
  for (int64_t b = 0; b < n; ++b) {
    in.push_back(kBosId);
    for (int64_t j = 0; j < len; ++j) in.push_back(src[b * len + j]);
    for (int64_t j = 0; j < len; ++j) out.push_back(src[b * len + j]);
    out.push_back(kEosId);
  }
  const IndexArray tgt_in(in, {n, len + 1}), tgt_out(out, {n * (len + 1)});
  const std::vector<int64_t> lengths(static_cast<size_t>(n), len);
  model.train();
  optim::Adam adam(model.parameters(), {.lr = 1e-2f});
  float first = 0.0f, last = 0.0f;
  for (int step = 0; step < 60; ++step) {
    adam.zero_grad();
    const Tensor loss =
        model.loss(batch_of(src, lengths, tgt_in, tgt_out.reshape({n, len + 1})), {});
    loss.backward();
    adam.step();
    (step == 0 ? first : last) = loss.item();
  }
  model.eval();
  CHECK(last < 0.5f * first);
}

}  // namespace

TEST_CASE("make_model builds each architecture with its logits shape") {
  for (const auto& [name, config] : variants()) {
    CAPTURE(name);
    const auto model = make_model(config);
    CHECK(model->num_parameters() > 0);
    CHECK(model->describe() == summary(config));
    const Sample s = sample(config);
    CHECK(model->forward(batch_of(s.src, s.lengths, s.tgt_in)).shape() ==
          Shape{3, 5, config.tgt_vocab_size});
  }
}

TEST_CASE("incremental decoding equals teacher forcing, for every model") {
  for (const auto& [name, config] : variants()) {
    CAPTURE(name);
    const auto model = make_model(config);
    model->eval();
    check_incremental_equals_full(*model, config);
  }
}

TEST_CASE("select reorders every part of the decoding state") {
  for (const auto& [name, config] : variants()) {
    CAPTURE(name);
    const auto model = make_model(config);
    model->eval();
    check_select(*model, config);
  }
}

TEST_CASE("source padding changes no output") {
  for (const auto& [name, config] : variants()) {
    CAPTURE(name);
    const auto model = make_model(config);
    model->eval();
    check_padding_invariance(*model, config);
  }
}

TEST_CASE("loss() equals cross_entropy of forward(), value and gradients, for every model") {
  for (const auto& [name, config] : variants()) {
    CAPTURE(name);
    const auto model = make_model(config);
    model->eval();
    check_loss_equals_forward(*model, config);
  }
}

TEST_CASE("a few training steps on a copy task lower the loss") {
  for (const auto& [name, config] : variants()) {
    CAPTURE(name);
    ModelConfig c = config;
    c.dropout = 0.1f;  // training mode with dropout on
    check_training(*make_model(c), c);
  }
}

TEST_CASE("make_model builds ConvS2S through make_convs2s, with the same behaviour") {
  ModelConfig c = tiny(Architecture::kConvS2S);
  c.tie_embeddings = false;
  const auto model = make_model(c);
  model->eval();
  check_incremental_equals_full(*model, c);
  check_select(*model, c);
  check_padding_invariance(*model, c);
}

TEST_CASE("make_model refuses an invalid config") {
  ModelConfig c = tiny(Architecture::kTransformer);
  c.num_heads = 3;
  CHECK_THROWS_WITH_AS(make_model(c), doctest::Contains("[model_config]"), Error);
}
