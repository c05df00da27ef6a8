#include <doctest/doctest.h>

#include <functional>
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

const CellType kCells[] = {CellType::kRnnTanh, CellType::kLstm, CellType::kGru};

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

TEST_CASE("forward of every cell type is its op on the input projection") {
  const Tensor x = Tensor::randn({2, 3}), h = Tensor::randn({2, 5}), c = Tensor::randn({2, 5});
  for (CellType type : kCells) {
    CAPTURE(static_cast<int>(type));
    const nn::RecurrentCell cell(type, 3, 5);
    const Tensor gx = linear(x, cell.weight_ih(), cell.bias_ih());
    const Tensor& w = cell.weight_hh();
    const Tensor& b = cell.bias_hh();
    if (type == CellType::kLstm) {
      const nn::RecurrentState got = cell.forward(x, {h, c});
      const LstmState want = lstm_cell(gx, h, c, w, b);
      check_close(got.h.data(), want.h.data());
      check_close(got.c.data(), want.c.data());
      continue;
    }
    const nn::RecurrentState got = cell.forward(x, {h});
    check_close(
        got.h.data(),
        (type == CellType::kGru ? gru_cell(gx, h, w, b) : rnn_tanh_cell(gx, h, w, b)).data());
    CHECK_FALSE(got.c.defined());
  }
}

TEST_CASE("cell gradients match finite differences (input, state, parameters)") {
  const Tensor x = Tensor::randn({2, 3}, true), h = Tensor::randn({2, 4}, true);
  const Tensor c = Tensor::randn({2, 4}, true);
  nn::LSTMCell lstm(3, 4);
  std::vector<Tensor> inputs{x, h, c};
  for (const Tensor& p : lstm.parameters()) inputs.push_back(p);
  check_gradients(
      [&](const auto& in) {
        const nn::RecurrentState s = lstm.forward(in[0], {in[1], in[2]});
        return cat({s.h, s.c}, 1);
      },
      inputs);
  nn::GRUCell gru(3, 4);
  nn::RNNCell rnn(3, 4, false);
  for (nn::RecurrentCell* cell : std::vector<nn::RecurrentCell*>{&gru, &rnn}) {
    std::vector<Tensor> leaves{x, h};
    for (const Tensor& p : cell->parameters()) leaves.push_back(p);
    check_gradients([&](const auto& in) { return cell->forward(in[0], {in[1]}).h; }, leaves);
  }
}

TEST_CASE("a cell without state starts from zeros") {
  nn::GRUCell gru(3, 4);
  const Tensor x = Tensor::randn({2, 3});
  CHECK(gru.forward(x).h.to_vector() == gru.forward(x, {Tensor::zeros({2, 4})}).h.to_vector());
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
        nn::RNNCell(3, 4).forward(Tensor::zeros({2, 3}), {Tensor::zeros({3, 4})});
      },
      "[rnn_tanh_cell] h (3, 4) must be (B, H) = (2, 4)");
  fails(
      [&] {
        nn::GRUCell(3, 4).forward(Tensor::zeros({2, 3}), {Tensor(), Tensor::zeros({2, 4})});
      },
      "[gru_cell] has no cell state, got c (2, 4) for input (2, 3)");
  fails([&] { nn::RNNCell(3, 0); },
        "[rnn_tanh_cell] input_size and hidden_size must be positive, got (3, 0)");
}
