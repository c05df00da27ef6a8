#include "ember/layers/recurrent_cells.h"

#include <cmath>

#include "ember/autograd/ops/linear_algebra.h"
#include "ember/core/error.h"
#include "ember/layers/init.h"

namespace ember::nn {
namespace {

// The name of the cell's op in autograd/ops/recurrent.h, which tags the state's shape errors too.
const char* cell_name(CellType type) {
  switch (type) {
    case CellType::kRnnTanh:
      return "rnn_tanh_cell";
    case CellType::kLstm:
      return "lstm_cell";
    case CellType::kGru:
      break;
  }
  return "gru_cell";
}

}  // namespace

RecurrentCell::RecurrentCell(CellType type, int64_t input_size, int64_t hidden_size, bool bias)
    : type_(type), name_(cell_name(type)), input_size_(input_size), hidden_size_(hidden_size) {
  EMBER_CHECK(input_size > 0 && hidden_size > 0,
              "[{}] input_size and hidden_size must be positive, got ({}, {})", name_, input_size,
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

void RecurrentCell::quantize_int8() { w_ih_int8_ = quantize_weight(w_ih_, name_); }

RecurrentState RecurrentCell::forward(const Tensor& x, const RecurrentState& state) const {
  EMBER_CHECK(x.dim() == 2 && x.size(1) == input_size_,
              "[{}] input {} must be (B, I) with I = input_size = {}", name_,
              core::shape_str(x.shape()), input_size_);
  EMBER_CHECK(type_ == CellType::kLstm || !state.c.defined(),
              "[{}] has no cell state, got c {} for input {}", name_,
              core::shape_str(state.c.shape()), core::shape_str(x.shape()));
  const Tensor gx = w_ih_int8_ ? quantized_linear(x, *w_ih_int8_, 0, w_ih_.size(0), b_ih_, name_)
                               : linear(x, w_ih_, b_ih_, w_ih_pack_);  // (B, G*H)
  switch (type_) {
    case CellType::kLstm: {
      const LstmState s = lstm_cell(gx, state.h, state.c, w_hh_, b_hh_, w_hh_pack_);
      return {s.h, s.c};
    }
    case CellType::kGru:
      return {gru_cell(gx, state.h, w_hh_, b_hh_, w_hh_pack_), Tensor()};
    case CellType::kRnnTanh:
      break;
  }
  return {rnn_tanh_cell(gx, state.h, w_hh_, b_hh_, w_hh_pack_), Tensor()};
}

std::string RecurrentCell::type_name() const {
  return std::string(torch_layer_name(type_)) + "Cell";
}

}  // namespace ember::nn
