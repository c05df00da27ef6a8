#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/recurrent_cells.h"
#include "ember/layers/rnn.h"
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

const CellType kCells[] = {CellType::kRnnTanh, CellType::kLstm, CellType::kGru};

// Layer k, direction d of a stacked layer as a cell: its parameters under the cell's names.
std::shared_ptr<nn::RecurrentCell> cell_of(const nn::RecurrentLayer& layer, int64_t k, int64_t d) {
  const nn::RecurrentOptions& o = layer.options();
  const int64_t in = k == 0 ? o.input_size : layer.num_directions() * o.hidden_size;
  auto cell = std::make_shared<nn::RecurrentCell>(layer.cell_type(), in, o.hidden_size);
  const nn::StateDict params = layer.state_dict();
  const std::string sfx = "_l" + std::to_string(k) + (d == 1 ? "_reverse" : "");
  nn::StateDict state;
  for (const std::string name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
    state[name] = params.at(name + sfx);
  cell->load_state_dict(state);
  return cell;
}

Tensor flat(const nn::RecurrentOutput& out) {
  std::vector<Tensor> parts{out.output.reshape({-1}), out.h_n.reshape({-1})};
  if (out.c_n.defined()) parts.push_back(out.c_n.reshape({-1}));
  return cat(parts, 0);
}

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
  for (CellType cell : kCells) {
    CAPTURE(static_cast<int>(cell));
    nn::RecurrentOptions o = options(2, 3, 2, true);
    nn::RecurrentLayer layer(cell, o);
    const Tensor x = Tensor::randn({4, 5, 2});
    const nn::RecurrentOutput out = layer.forward(x);
    CHECK(out.output.shape() == Shape{4, 5, 6});
    CHECK(out.h_n.shape() == Shape{4, 4, 3});
    CHECK(out.c_n.defined() == (cell == CellType::kLstm));

    o.batch_first = false;  // same weights, time-major input and output
    nn::RecurrentLayer time_major(cell, o);
    time_major.load_state_dict(layer.state_dict());
    const nn::RecurrentOutput tm = time_major.forward(x.transpose(0, 1));
    check_close(tm.output.transpose(0, 1).data(), out.output.data());
    check_close(tm.h_n.data(), out.h_n.data());
  }
}

TEST_CASE("forward of every cell type is its cell stepped by hand, layer by layer, both ways") {
  const int64_t B = 2, T = 4, H = 5;
  for (CellType cell : kCells) {
    CAPTURE(static_cast<int>(cell));
    const bool lstm = cell == CellType::kLstm;
    const nn::RecurrentLayer layer(cell, options(3, H, 2, true));
    const Tensor x = Tensor::randn({B, T, 3}), h0 = Tensor::randn({4, B, H});
    const Tensor c0 = lstm ? Tensor::randn({4, B, H}) : Tensor();
    const nn::RecurrentOutput out = layer.forward(x, {h0, c0});
    Tensor input = x;  // layer k's input (B, T, I_k)
    for (int64_t k = 0; k < 2; ++k) {
      std::vector<Tensor> directions;
      for (int64_t d = 0; d < 2; ++d) {
        const int64_t index = k * 2 + d;
        const std::shared_ptr<nn::RecurrentCell> step = cell_of(layer, k, d);
        nn::RecurrentState s{h0.select(0, index), lstm ? c0.select(0, index) : Tensor()};
        std::vector<Tensor> states(static_cast<size_t>(T));
        for (int64_t i = 0; i < T; ++i) {
          const int64_t t = d == 0 ? i : T - 1 - i;  // the reverse direction reads t = T-1 .. 0
          s = step->forward(input.select(1, t), s);
          states[static_cast<size_t>(t)] = s.h;
        }
        CHECK(s.c.defined() == lstm);
        check_close(out.h_n.select(0, index).data(), s.h.data());
        if (lstm) check_close(out.c_n.select(0, index).data(), s.c.data());
        directions.push_back(stack(states, 1));  // (B, T, H)
      }
      input = cat(directions, 2);  // (B, T, 2H): forward features, then reverse
    }
    check_close(out.output.data(), input.data());
  }
}

TEST_CASE("layer gradients match finite differences (bidirectional, 2 layers, padded batch)") {
  for (CellType cell : kCells) {
    CAPTURE(static_cast<int>(cell));
    const bool lstm = cell == CellType::kLstm;
    nn::RecurrentLayer layer(cell, options(2, 3, 2, true));
    const Tensor x = Tensor::randn({2, 3, 2}, true), h0 = Tensor::randn({4, 2, 3}, true);
    const Tensor c0 = Tensor::randn({4, 2, 3}, true);
    std::vector<Tensor> inputs{x, h0};
    if (lstm) inputs.push_back(c0);
    for (const Tensor& p : layer.parameters()) inputs.push_back(p);
    check_gradients(
        [&](const auto& in) {
          return flat(layer.forward(in[0], {in[1], lstm ? in[2] : Tensor()}, {3, 2}));
        },
        inputs);
  }
}

TEST_CASE("a padded batch gives each sequence what it gets alone, unpadded") {
  const std::vector<int64_t> lengths{4, 1, 3};
  for (CellType cell : kCells) {
    CAPTURE(static_cast<int>(cell));
    const bool lstm = cell == CellType::kLstm;
    nn::RecurrentLayer layer(cell, options(2, 3, 2, true));
    const Tensor x = Tensor::randn({3, 4, 2}, true);
    const Tensor h0 = Tensor::randn({4, 3, 3}), c0 = Tensor::randn({4, 3, 3});
    const nn::RecurrentOutput out = layer.forward(x, {h0, lstm ? c0 : Tensor()}, lengths);
    for (int64_t b = 0; b < 3; ++b) {
      CAPTURE(b);
      const int64_t len = lengths[static_cast<size_t>(b)];
      const Tensor xb = x.narrow(0, b, 1).narrow(1, 0, len).contiguous();
      const nn::RecurrentOutput alone = layer.forward(
          xb, {h0.narrow(1, b, 1).contiguous(), lstm ? c0.narrow(1, b, 1).contiguous() : Tensor()});
      check_close(out.output.narrow(0, b, 1).narrow(1, 0, len).data(), alone.output.data());
      check_close(out.h_n.narrow(1, b, 1).data(), alone.h_n.data());
      if (lstm) check_close(out.c_n.narrow(1, b, 1).data(), alone.c_n.data());
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
        lstm.forward(x, {Tensor::zeros({2, 4, 3}), h0});
      },
      "[lstm] h0 (2, 4, 3) must be (L*D, B, H) = (4, 4, 3) for input (4, 5, 2)");
  fails(
      [&] {
        lstm.forward(x, {h0, Tensor::zeros({4, 4, 2})});
      },
      "[lstm] c0 (4, 4, 2) must be (L*D, B, H) = (4, 4, 3)");
  fails([&] { lstm.forward(x, {h0}); },
        "[lstm] h0 and c0 must be given together (h0 (4, 4, 3), c0 none)");
  fails(
      [&] {
        lstm.forward(x, {Tensor(), h0});
      },
      "[lstm] h0 and c0 must be given together (h0 none, c0 (4, 4, 3))");
  fails(
      [&] {
        lstm.forward(x, {}, {5, 5});
      },
      "[lstm] got 2 lengths for a batch of 4 (input (4, 5, 2))");
  fails(
      [&] {
        lstm.forward(x, {}, {5, 6, 1, 1});
      },
      "[lstm] length 6 out of range [1, 5] (input (4, 5, 2))");
  fails([&] { lstm.forward(x, {}, {5, 0, 1, 1}); }, "[lstm] length 0 out of range");
  fails(
      [&] {
        nn::GRU(options(2, 3, 2, true)).forward(x, {h0, h0});
      },
      "[gru] has no cell state, got c0 (4, 4, 3) for input (4, 5, 2)");
  fails(
      [&] {
        nn::RNN(options(2, 3, 2, true)).forward(x, {Tensor(), h0});
      },
      "[rnn] has no cell state, got c0 (4, 4, 3)");

  nn::RecurrentOptions o = options(2, 3, 1, false);
  o.batch_first = false;
  fails(
      [&] {
        nn::GRU(o).forward(Tensor::randn({4, 5, 3}));
      },
      "[gru] input (4, 5, 3) must be (T, B, I)");
  fails(
      [&] {
        nn::GRU(o).forward(x, {Tensor::zeros({1, 4, 3})});
      },
      "[gru] h0 (1, 4, 3) must be (L*D, B, H) = (1, 5, 3)");
  fails([&] { nn::RNN(options(0, 3, 1, false)); },
        "[rnn] input_size, hidden_size and num_layers must be positive, got (0, 3, 1)");
  o.dropout = 1.0f;
  fails([&] { nn::RNN{o}; }, "[rnn] dropout must be in [0, 1), got 1");
}
