#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "ember.h"
#include "layers/rnn.h"
#include "support/check.h"

using namespace ember;
using testing::check_close;
using testing::check_gradients;

namespace {

nn::RecurrentOptions options(int64_t input, int64_t hidden, int64_t layers, bool bidirectional) {
  nn::RecurrentOptions o;
  o.input_size = input;
  o.hidden_size = hidden;
  o.num_layers = layers;
  o.bidirectional = bidirectional;
  return o;
}

// One interface over the three layers: c0 is ignored by RNN and GRU.
struct AnyLayer {
  std::shared_ptr<nn::RecurrentLayer> module;
  std::function<nn::RecurrentOutput(const Tensor&, const Tensor&, const Tensor&,
                                    const std::vector<int64_t>&)>
      forward;
  bool lstm;
};

AnyLayer make_layer(const std::string& kind, const nn::RecurrentOptions& o) {
  if (kind == "lstm") {
    auto m = std::make_shared<nn::LSTM>(o);
    return {m, [m](auto& x, auto& h, auto& c, auto& len) { return m->forward(x, h, c, len); },
            true};
  }
  if (kind == "gru") {
    auto m = std::make_shared<nn::GRU>(o);
    return {m, [m](auto& x, auto& h, auto&, auto& len) { return m->forward(x, h, len); }, false};
  }
  auto m = std::make_shared<nn::RNN>(o);
  return {m, [m](auto& x, auto& h, auto&, auto& len) { return m->forward(x, h, len); }, false};
}

Tensor flat(const nn::RecurrentOutput& out) {
  std::vector<Tensor> parts{out.output.reshape({-1}), out.h_n.reshape({-1})};
  if (out.c_n.defined()) parts.push_back(out.c_n.reshape({-1}));
  return cat(parts, 0);
}

const char* const kKinds[] = {"rnn", "lstm", "gru"};

}  // namespace

TEST_CASE("parameters have torch's names, layouts, order and initialisation") {
  nn::LSTM lstm(options(5, 16, 2, true));
  const std::vector<std::string> names{
      "weight_ih_l0",         "weight_hh_l0",         "bias_ih_l0",         "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1",         "weight_hh_l1",         "bias_ih_l1",         "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"};
  const auto params = lstm.named_parameters();
  REQUIRE(params.size() == names.size());
  float lo = 0.0f, hi = 0.0f;
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK(params[i].first == names[i]);
    for (float v : params[i].second.to_vector()) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  CHECK(params[0].second.shape() == Shape{64, 5});
  CHECK(params[1].second.shape() == Shape{64, 16});
  CHECK(params[2].second.shape() == Shape{64});
  CHECK(params[8].second.shape() == Shape{64, 32});
  CHECK(hi <= 0.25f);  // U(-1/sqrt(H), 1/sqrt(H))
  CHECK(hi > 0.24f);
  CHECK(lo >= -0.25f);
  CHECK(lo < -0.24f);

  nn::RecurrentOptions no_bias = options(5, 4, 1, false);
  no_bias.bias = false;
  nn::GRU gru(no_bias);
  REQUIRE(gru.named_parameters().size() == 2);
  CHECK(gru.named_parameters()[0].second.shape() == Shape{12, 5});
  CHECK(nn::RNN(options(5, 4, 1, false)).named_parameters()[1].second.shape() == Shape{4, 4});
}

TEST_CASE("output and state shapes, batch_first or not") {
  for (const char* kind : kKinds) {
    CAPTURE(kind);
    nn::RecurrentOptions o = options(2, 3, 2, true);
    AnyLayer layer = make_layer(kind, o);
    const Tensor x = Tensor::randn({4, 5, 2});
    const nn::RecurrentOutput out = layer.forward(x, {}, {}, {});
    CHECK(out.output.shape() == Shape{4, 5, 6});
    CHECK(out.h_n.shape() == Shape{4, 4, 3});
    CHECK(out.c_n.defined() == layer.lstm);

    o.batch_first = false;  // same weights, time-major input and output
    AnyLayer time_major = make_layer(kind, o);
    time_major.module->load_state_dict(layer.module->state_dict());
    const nn::RecurrentOutput tm = time_major.forward(x.transpose(0, 1), {}, {}, {});
    check_close(tm.output.transpose(0, 1).data(), out.output.data());
    check_close(tm.h_n.data(), out.h_n.data());
  }
}

TEST_CASE("layer gradients match finite differences (bidirectional, 2 layers, padded batch)") {
  for (const char* kind : kKinds) {
    CAPTURE(kind);
    AnyLayer layer = make_layer(kind, options(2, 3, 2, true));
    const Tensor x = Tensor::randn({2, 3, 2}, true), h0 = Tensor::randn({4, 2, 3}, true);
    const Tensor c0 = Tensor::randn({4, 2, 3}, true);
    std::vector<Tensor> inputs{x, h0};
    if (layer.lstm) inputs.push_back(c0);
    for (const Tensor& p : layer.module->parameters()) inputs.push_back(p);
    check_gradients(
        [&](const auto& in) {
          return flat(layer.forward(in[0], in[1], layer.lstm ? in[2] : Tensor(), {3, 2}));
        },
        inputs);
  }
}

TEST_CASE("a padded batch gives each sequence what it gets alone, unpadded") {
  const std::vector<int64_t> lengths{4, 1, 3};
  for (const char* kind : kKinds) {
    CAPTURE(kind);
    AnyLayer layer = make_layer(kind, options(2, 3, 2, true));
    const Tensor x = Tensor::randn({3, 4, 2}, true);
    const Tensor h0 = Tensor::randn({4, 3, 3}), c0 = Tensor::randn({4, 3, 3});
    const nn::RecurrentOutput out = layer.forward(x, h0, layer.lstm ? c0 : Tensor(), lengths);
    for (int64_t b = 0; b < 3; ++b) {
      CAPTURE(b);
      const int64_t len = lengths[static_cast<size_t>(b)];
      const Tensor xb = x.narrow(0, b, 1).narrow(1, 0, len).contiguous();
      const nn::RecurrentOutput alone =
          layer.forward(xb, h0.narrow(1, b, 1).contiguous(),
                        layer.lstm ? c0.narrow(1, b, 1).contiguous() : Tensor(), {});
      check_close(out.output.narrow(0, b, 1).narrow(1, 0, len).data(), alone.output.data());
      check_close(out.h_n.narrow(1, b, 1).data(), alone.h_n.data());
      if (layer.lstm) check_close(out.c_n.narrow(1, b, 1).data(), alone.c_n.data());
      const NDArray padded = out.output.data().select(0, b).narrow(0, len, 4 - len);
      CHECK(padded.to_vector() == std::vector<float>(static_cast<size_t>((4 - len) * 6), 0.0f));
    }
    flat(out).sum().backward();  // padded inputs never reach any output
    CHECK(x.grad().select(0, 1).narrow(0, 1, 3).to_vector() == std::vector<float>(6, 0.0f));
  }
}

TEST_CASE("dropout acts between layers in training only") {
  nn::RecurrentOptions o = options(2, 8, 2, false);
  o.dropout = 0.5f;
  nn::GRU gru(o);
  const Tensor x = Tensor::randn({2, 3, 2});
  const std::vector<float> trained = gru.forward(x).output.to_vector();
  gru.eval();
  const std::vector<float> evaluated = gru.forward(x).output.to_vector();
  CHECK(trained != evaluated);
  CHECK(gru.forward(x).output.to_vector() == evaluated);

  o.num_layers = 1;  // no layer in between: nothing to drop
  nn::GRU single(o);
  const std::vector<float> a = single.forward(x).output.to_vector();
  single.eval();
  CHECK(single.forward(x).output.to_vector() == a);
}

TEST_CASE("recurrent layers name themselves and every shape in their errors") {
  const auto fails = [](const std::function<void()>& f, const std::string& text) {
    CHECK_THROWS_WITH_AS(f(), doctest::Contains(text.c_str()), Error);
  };
  nn::LSTM lstm(options(2, 3, 2, true));
  const Tensor x = Tensor::randn({4, 5, 2}), h0 = Tensor::zeros({4, 4, 3});
  fails(
      [&] {
        lstm.forward(Tensor::randn({4, 2}));
      },
      "[lstm] input (4, 2) must be (B, T, I) with I = input_size = 2");
  fails([&] { lstm.forward(Tensor::randn({4, 5, 3})); }, "[lstm] input (4, 5, 3) must be");
  fails(
      [&] {
        lstm.forward(x, Tensor::zeros({2, 4, 3}), h0);
      },
      "[lstm] h0 (2, 4, 3) must be (L*D, B, H) = (4, 4, 3) for input (4, 5, 2)");
  fails(
      [&] {
        lstm.forward(x, h0, Tensor::zeros({4, 4, 2}));
      },
      "[lstm] c0 (4, 4, 2) must be (L*D, B, H) = (4, 4, 3)");
  fails([&] { lstm.forward(x, h0); },
        "[lstm] h0 and c0 must be given together (h0 (4, 4, 3), c0 none)");
  fails(
      [&] {
        lstm.forward(x, {}, {}, {5, 5});
      },
      "[lstm] got 2 lengths for a batch of 4 (input (4, 5, 2))");
  fails(
      [&] {
        lstm.forward(x, {}, {}, {5, 6, 1, 1});
      },
      "[lstm] length 6 out of range [1, 5] (input (4, 5, 2))");
  fails([&] { lstm.forward(x, {}, {}, {5, 0, 1, 1}); }, "[lstm] length 0 out of range");

  nn::RecurrentOptions o = options(2, 3, 1, false);
  o.batch_first = false;
  fails(
      [&] {
        nn::GRU(o).forward(Tensor::randn({4, 5, 3}));
      },
      "[gru] input (4, 5, 3) must be (T, B, I)");
  fails(
      [&] {
        nn::GRU(o).forward(x, Tensor::zeros({1, 4, 3}));
      },
      "[gru] h0 (1, 4, 3) must be (L*D, B, H) = (1, 5, 3)");
  fails([&] { nn::RNN(options(0, 3, 1, false)); },
        "[rnn] input_size, hidden_size and num_layers must be positive, got (0, 3, 1)");
  o.dropout = 1.0f;
  fails([&] { nn::RNN{o}; }, "[rnn] dropout must be in [0, 1), got 1");
}
