#include "layers/recurrent_cells.h"

#include <cmath>

#include "autograd/ops/linear_algebra.h"
#include "core/error.h"
#include "layers/init.h"

namespace ember::nn {

RecurrentCell::RecurrentCell(CellType type, const char* name, int64_t input_size,
                             int64_t hidden_size, bool bias)
    : name_(name), input_size_(input_size), hidden_size_(hidden_size) {
  EMBER_CHECK(input_size > 0 && hidden_size > 0,
              "[{}] input_size and hidden_size must be positive, got ({}, {})", name, input_size,
              hidden_size);
  const int64_t GH = gate_count(type) * hidden_size;
  const float bound = 1.0f / std::sqrt(static_cast<float>(hidden_size));
  auto param = [&](const char* param_name, const Shape& shape) {
    const Tensor t = register_parameter(param_name, Tensor::zeros(shape));
    init::uniform_(t, bound);
    return t;
  };
  w_ih_ = param("weight_ih", {GH, input_size});
  w_hh_ = param("weight_hh", {GH, hidden_size});
  if (bias) {
    b_ih_ = param("bias_ih", {GH});
    b_hh_ = param("bias_hh", {GH});
  }
}

Tensor RecurrentCell::project(const Tensor& x) const {
  EMBER_CHECK(x.dim() == 2 && x.size(1) == input_size_,
              "[{}] input {} must be (B, I) with I = input_size = {}", name_,
              core::shape_str(x.shape()), input_size_);
  return linear(x, w_ih_, b_ih_);
}

RNNCell::RNNCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RecurrentCell(CellType::kRnnTanh, "rnn_tanh_cell", input_size, hidden_size, bias) {}

Tensor RNNCell::forward(const Tensor& x, const Tensor& h) const {
  return rnn_tanh_cell(project(x), h, weight_hh(), bias_hh());
}

LSTMCell::LSTMCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RecurrentCell(CellType::kLstm, "lstm_cell", input_size, hidden_size, bias) {}

LstmState LSTMCell::forward(const Tensor& x, const LstmState& state) const {
  return lstm_cell(project(x), state.h, state.c, weight_hh(), bias_hh());
}

GRUCell::GRUCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RecurrentCell(CellType::kGru, "gru_cell", input_size, hidden_size, bias) {}

Tensor GRUCell::forward(const Tensor& x, const Tensor& h) const {
  return gru_cell(project(x), h, weight_hh(), bias_hh());
}

}  // namespace ember::nn
