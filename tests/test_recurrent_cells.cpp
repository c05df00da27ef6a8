#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "ember.h"
#include "layers/recurrent_cells.h"
#include "layers/rnn.h"
#include "support/check.h"

using namespace ember;
using testing::check_close;
using testing::check_gradients;

namespace {

// A one-layer, one-direction layer's parameters under the cells' names.
nn::StateDict cell_state(const nn::Module& layer) {
  nn::StateDict state;
  for (const auto& [name, p] : layer.named_parameters())
    state[name.substr(0, name.size() - 3)] = p.data();  // "weight_ih_l0" -> "weight_ih"
  return state;
}

nn::RecurrentOptions one_layer(int64_t input, int64_t hidden) {
  nn::RecurrentOptions o;
  o.input_size = input;
  o.hidden_size = hidden;
  return o;
}

}  // namespace

TEST_CASE("cells have torch's parameter names and layouts") {
  nn::LSTMCell lstm(5, 4);
  const auto params = lstm.named_parameters();
  REQUIRE(params.size() == 4);
  const std::vector<std::string> names{"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
  const std::vector<Shape> shapes{{16, 5}, {16, 4}, {16}, {16}};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(params[i].first == names[i]);
    CHECK(params[i].second.shape() == shapes[i]);
    for (float v : params[i].second.to_vector()) CHECK(std::abs(v) <= 0.5f);
  }
  CHECK(nn::GRUCell(5, 4).weight_hh().shape() == Shape{12, 4});
  CHECK(nn::RNNCell(5, 4, false).named_parameters().size() == 2);
}

TEST_CASE("cells stepped over a sequence give the layer's outputs and states") {
  const Tensor x = Tensor::randn({2, 4, 3}), h0 = Tensor::randn({1, 2, 5});
  const Tensor c0 = Tensor::randn({1, 2, 5});
  nn::LSTM lstm(one_layer(3, 5));
  nn::LSTMCell lstm_cell(3, 5);
  lstm_cell.load_state_dict(cell_state(lstm));
  nn::GRU gru(one_layer(3, 5));
  nn::GRUCell gru_cell(3, 5);
  gru_cell.load_state_dict(cell_state(gru));
  nn::RNN rnn(one_layer(3, 5));
  nn::RNNCell rnn_cell(3, 5);
  rnn_cell.load_state_dict(cell_state(rnn));

  const nn::RecurrentOutput lo = lstm.forward(x, h0, c0);
  const nn::RecurrentOutput go = gru.forward(x, h0), ro = rnn.forward(x, h0);
  LstmState ls{h0.select(0, 0), c0.select(0, 0)};
  Tensor gh = h0.select(0, 0), rh = h0.select(0, 0);
  for (int64_t t = 0; t < 4; ++t) {
    const Tensor xt = x.select(1, t);
    ls = lstm_cell.forward(xt, ls);
    gh = gru_cell.forward(xt, gh);
    rh = rnn_cell.forward(xt, rh);
    check_close(lo.output.select(1, t).data(), ls.h.data());
    check_close(go.output.select(1, t).data(), gh.data());
    check_close(ro.output.select(1, t).data(), rh.data());
  }
  check_close(lo.c_n.select(0, 0).data(), ls.c.data());
  check_close(go.h_n.select(0, 0).data(), gh.data());
}

TEST_CASE("cell gradients match finite differences (input, state, parameters)") {
  const Tensor x = Tensor::randn({2, 3}, true), h = Tensor::randn({2, 4}, true);
  const Tensor c = Tensor::randn({2, 4}, true);
  nn::LSTMCell lstm(3, 4);
  std::vector<Tensor> inputs{x, h, c};
  for (const Tensor& p : lstm.parameters()) inputs.push_back(p);
  check_gradients(
      [&](const auto& in) {
        const LstmState s = lstm.forward(in[0], {in[1], in[2]});
        return cat({s.h, s.c}, 1);
      },
      inputs);
  nn::GRUCell gru(3, 4);
  nn::RNNCell rnn(3, 4, false);
  for (nn::RecurrentCell* cell : std::vector<nn::RecurrentCell*>{&gru, &rnn}) {
    std::vector<Tensor> leaves{x, h};
    for (const Tensor& p : cell->parameters()) leaves.push_back(p);
    check_gradients(
        [&](const auto& in) {
          return cell == &gru ? gru.forward(in[0], in[1]) : rnn.forward(in[0], in[1]);
        },
        leaves);
  }
}

TEST_CASE("a cell without state starts from zeros") {
  nn::GRUCell gru(3, 4);
  const Tensor x = Tensor::randn({2, 3});
  CHECK(gru.forward(x).to_vector() == gru.forward(x, Tensor::zeros({2, 4})).to_vector());
  nn::LSTMCell lstm(3, 4);
  CHECK(lstm.forward(x).c.to_vector() ==
        lstm.forward(x, {Tensor::zeros({2, 4}), Tensor::zeros({2, 4})}).c.to_vector());
}

TEST_CASE("cells name themselves and the shapes in their errors") {
  const auto fails = [](const std::function<void()>& f, const char* text) {
    CHECK_THROWS_WITH_AS(f(), doctest::Contains(text), Error);
  };
  nn::LSTMCell lstm(3, 4);
  fails(
      [&] {
        lstm.forward(Tensor::zeros({2, 1, 3}));
      },
      "[lstm_cell] input (2, 1, 3) must be (B, I) with I = input_size = 3");
  fails(
      [&] {
        lstm.forward(Tensor::zeros({2, 3}), {Tensor::zeros({2, 5}), Tensor()});
      },
      "[lstm_cell] h (2, 5) must be (B, H) = (2, 4)");
  fails(
      [&] {
        nn::GRUCell(3, 4).forward(Tensor::zeros({2, 2}));
      },
      "[gru_cell] input (2, 2) must be (B, I) with I = input_size = 3");
  fails(
      [&] {
        nn::RNNCell(3, 4).forward(Tensor::zeros({2, 3}), Tensor::zeros({3, 4}));
      },
      "[rnn_tanh_cell] h (3, 4) must be (B, H) = (2, 4)");
  fails([&] { nn::RNNCell(3, 0); },
        "[rnn_tanh_cell] input_size and hidden_size must be positive, got (3, 0)");
}
