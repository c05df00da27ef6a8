// Single-step recurrent cells (torch.nn.RNNCell with tanh, LSTMCell, GRUCell), for decoders that
// feed each step's output back in. Same equations and kernels as the layers in layers/rnn.h
// (autograd/ops/recurrent.h), one time step at a time, with the same one call for the three:
//   forward(x, {h, c}) -> {h', c'}     x: (B, I)  h, c: (B, H) (undefined = zeros; c LSTM only)
// Parameters (torch's names and layouts, G gates: 1 RNN, 4 LSTM i,f,g,o, 3 GRU r,z,n):
//   weight_ih (G*H, I), weight_hh (G*H, H), bias_ih, bias_hh (G*H); all U(-1/sqrt(H), 1/sqrt(H)).
// A cell keeps weight_ih^T and weight_hh^T packed for its forward products (core/weight_pack.h)
// from one step to the next, packed again after each change of the weights: once per update in
// training, once after loading for decoding.
#pragma once

#include <cstdint>
#include <memory>

#include "ember/autograd/ops/recurrent.h"
#include "ember/core/weight_pack.h"
#include "ember/layers/module.h"
#include "ember/layers/quantized_linear.h"
#include "ember/layers/rnn.h"

namespace ember::nn {

// A cell of any type, chosen at construction; RNNCell, LSTMCell and GRUCell fix the type.
class RecurrentCell : public Module {
 public:
  RecurrentCell(CellType type, int64_t input_size, int64_t hidden_size, bool bias = true);

  // One step from state {h, c}: returns {h', c'} (c' undefined but for the LSTM).
  RecurrentState forward(const Tensor& x, const RecurrentState& state = {}) const;

  CellType cell_type() const { return type_; }
  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }
  const Tensor& weight_ih() const { return w_ih_; }
  const Tensor& weight_hh() const { return w_hh_; }
  const Tensor& bias_ih() const { return b_ih_; }  // undefined without bias
  const Tensor& bias_hh() const { return b_hh_; }
  std::string extra_repr() const override {  // torch's
    const char* bias = b_ih_.defined() ? "" : ", bias=False";
    return fmt::format("{}, {}{}", input_size_, hidden_size_, bias);
  }
  std::string type_name() const override;  // "RNNCell", "LSTMCell" or "GRUCell"
  // The input projection W_ih (Module::quantize_int8); h W_hh^T, fused with the gates, stays fp32.
  void quantize_int8() override;

 private:
  CellType type_;
  const char* name_;  // tags errors: "rnn_tanh_cell", "lstm_cell" or "gru_cell"
  int64_t input_size_, hidden_size_;
  Tensor w_ih_, w_hh_, b_ih_, b_hh_;
  Int8Weight w_ih_int8_;  // null until quantize_int8()
  std::shared_ptr<core::WeightPack> w_ih_pack_ = std::make_shared<core::WeightPack>();
  std::shared_ptr<core::WeightPack> w_hh_pack_ = std::make_shared<core::WeightPack>();
};

// h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
class RNNCell : public RecurrentCell {
 public:
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : RecurrentCell(CellType::kRnnTanh, input_size, hidden_size, bias) {}
};

class LSTMCell : public RecurrentCell {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : RecurrentCell(CellType::kLstm, input_size, hidden_size, bias) {}
};

class GRUCell : public RecurrentCell {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : RecurrentCell(CellType::kGru, input_size, hidden_size, bias) {}
};

}  // namespace ember::nn
