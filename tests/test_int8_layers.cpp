// Module::quantize_int8 (layers/quantized_linear.h): each quantized layer against its own fp32
// forward, within a tolerance measured relative to the output's scale; refusal under grad mode;
// a Transformer's decoding steps stay close to fp32's.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/layers/linear.h"
#include "ember/layers/multihead_attention.h"
#include "ember/layers/recurrent_cells.h"
#include "ember/layers/rnn.h"
#include "ember/seq2seq/models/config.h"
#include "ember/seq2seq/models/factory.h"

using namespace ember;

namespace {

// max |a - b| / max |b|: the error of an int8 output relative to the fp32 output's scale.
double relative_error(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  double diff = 0.0, scale = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs(x[i] - y[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(y[i])));
  }
  return diff / scale;
}

Tensor normal(std::initializer_list<int64_t> shape, uint64_t seed) {
  core::Generator gen(seed);
  return Tensor(gen.normal(Shape(std::vector<int64_t>(shape))));
}

}  // namespace

// With 8-bit activations (7 with Q = 127) and 8-bit weights, each product's relative rounding
// error is about 1/256 + 1/254 for the largest terms; over sums of random-sign terms the error
// relative to the output's largest entry measured 0.3-1.2% on these layers (VNNI path, full
// 8 bits). The bound is 4%, room for the 7-bit activations of the path without VNNI.
constexpr double kTolerance = 0.04;

TEST_CASE("quantized Linear, MultiheadAttention and recurrent layers stay near fp32") {
  NoGradGuard no_grad;
  SUBCASE("Linear, with and without bias") {
    for (const bool bias : {true, false}) {
      nn::Linear lin(257, 33, bias);
      const Tensor x = normal({2, 7, 257}, 1);
      const Tensor y = lin.forward(x);
      lin.quantize_int8();
      CHECK(relative_error(lin.forward(x), y) < kTolerance);
    }
  }
  SUBCASE("MultiheadAttention: self-attention, memory and incremental paths") {
    nn::MultiheadAttention mha(64, 4);
    const Tensor q = normal({3, 5, 64}, 2), m = normal({3, 9, 64}, 3);
    const Tensor self = mha.forward(q, q, q).output, cross = mha.forward(q, m, m).output;
    nn::KVCache cache;
    const Tensor step = mha.forward_incremental(q, cache);
    mha.quantize_int8();
    CHECK(relative_error(mha.forward(q, q, q).output, self) < kTolerance);
    CHECK(relative_error(mha.forward(q, m, m).output, cross) < kTolerance);
    nn::KVCache cache8;
    CHECK(relative_error(mha.forward_incremental(q, cache8), step) < kTolerance);
  }
  SUBCASE("LSTM layer and GRU cell (their input projections)") {
    nn::LSTM lstm({.input_size = 32,
                   .hidden_size = 48,
                   .num_layers = 2,
                   .bidirectional = true});
    nn::GRUCell gru(32, 48);
    const Tensor x = normal({4, 6, 32}, 4), x1 = normal({4, 32}, 5);
    const Tensor y = lstm.forward(x).output, h = gru.forward(x1).h;
    lstm.quantize_int8();
    gru.quantize_int8();
    CHECK(relative_error(lstm.forward(x).output, y) < kTolerance);
    CHECK(relative_error(gru.forward(x1).h, h) < kTolerance);
  }
}

TEST_CASE("a quantized layer refuses to run with gradients") {
  nn::Linear lin(8, 4);
  lin.quantize_int8();
  const Tensor x = normal({2, 8}, 6);
  CHECK_THROWS_WITH_AS(lin.forward(x), doctest::Contains("quantized to int8 for inference"),
                       Error);
  NoGradGuard no_grad;
  CHECK_THROWS_WITH_AS(lin.forward(normal({2, 9}, 7)), doctest::Contains("must be (..., 8)"),
                       Error);
}

TEST_CASE("a quantized Transformer decodes with log-probabilities near fp32's") {
  seq2seq::ModelConfig config =
      seq2seq::preset(seq2seq::Architecture::kTransformer, "tiny");
  config.src_vocab_size = 50;
  config.tgt_vocab_size = 40;  // tied embeddings: the output projection is the embedding
  auto model = seq2seq::make_model(config);
  model->eval();
  const IndexArray src = IndexArray({3, 4, 5, 6, 7, 8, 9, 10}, Shape{2, 4});
  const IndexArray tokens = IndexArray(std::vector<int64_t>{1, 1});
  const auto run = [&] {
    auto state = model->start(src, {4, 3});
    Tensor first = model->step(tokens, *state);
    return std::pair{first, model->step(tokens, *state)};
  };
  const auto [a, b] = run();
  model->quantize_int8();
  const auto [qa, qb] = run();
  CHECK(relative_error(qa, a) < kTolerance);
  CHECK(relative_error(qb, b) < kTolerance);
}
