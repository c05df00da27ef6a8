// Single-step recurrent cells (torch.nn.RNNCell with tanh, LSTMCell, GRUCell), for decoders that
// feed each step's output back in. Same equations and kernels as the layers in layers/rnn.h
// (autograd/ops/recurrent.h), one time step at a time.
//   x: (B, I)  h, c: (B, H) (undefined = zeros)  ->  h', c': (B, H)
// Parameters (torch's names and layouts, G gates: 1 RNN, 4 LSTM i,f,g,o, 3 GRU r,z,n):
//   weight_ih (G*H, I), weight_hh (G*H, H), bias_ih, bias_hh (G*H); all U(-1/sqrt(H), 1/sqrt(H)).
#pragma once

#include <cstdint>

#include "autograd/ops/recurrent.h"
#include "layers/module.h"

namespace ember::nn {

// The parameters and input projection the three cells share.
class RecurrentCell : public Module {
 public:
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

 protected:
  // name tags errors ("lstm_cell"); it must be a string literal.
  RecurrentCell(CellType type, const char* name, int64_t input_size, int64_t hidden_size,
                bool bias);
  Tensor project(const Tensor& x) const;  // checks x (B, I); x W_ih^T + b_ih: (B, G*H)

 private:
  const char* name_;
  int64_t input_size_, hidden_size_;
  Tensor w_ih_, w_hh_, b_ih_, b_hh_;
};

// h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
class RNNCell : public RecurrentCell {
 public:
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  Tensor forward(const Tensor& x, const Tensor& h = {}) const;
};

class LSTMCell : public RecurrentCell {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  LstmState forward(const Tensor& x, const LstmState& state = {}) const;
};

class GRUCell : public RecurrentCell {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  Tensor forward(const Tensor& x, const Tensor& h = {}) const;
};

}  // namespace ember::nn
