// Recurrent layers: RNN (tanh), LSTM and GRU, as torch.nn.RNN / LSTM / GRU, stacked and optionally
// bidirectional, with one call for the three: forward(x, {h0, c0}, lengths) (c0 for the LSTM
// only). The cell equations and their gradients are in autograd/ops/recurrent.h.
//   x: (B, T, I) (batch_first, ember's default) or (T, B, I)
//   h0, c0: (L*D, B, H) — never batch-first, as in torch; index k*D + d is layer k, direction d
//   ->  output: (B, T, D*H) (or (T, B, D*H)), the last layer's states, features [0, H) forward and
//       [H, 2H) reverse;  h_n, c_n: (L*D, B, H), each direction's last state (the reverse
//       direction's is its state after t = 0)
// L layers, D = 2 if bidirectional else 1, H hidden size, G gates (1 RNN, 4 LSTM i,f,g,o, 3 GRU
// r,z,n). Parameters for layer k and suffix "" / "_reverse", torch's names and layouts:
//   weight_ih_l{k}{sfx} (G*H, I_k) with I_0 = I, I_k = D*H;  weight_hh_l{k}{sfx} (G*H, H);
//   bias_ih_l{k}{sfx}, bias_hh_l{k}{sfx} (G*H);  all initialised U(-1/sqrt(H), 1/sqrt(H)).
// Per layer and direction the input projection of all T steps is one GEMM; each step then costs
// one GEMM h @ W_hh^T and one fused loop over the gates.
//
// Variable-length batches: pass lengths (one per batch element, in [1, T], any order). Steps
// t >= lengths[b] are padding: the row's state is carried through unchanged (so h_n is the state
// at its last real step), its output there is 0, and the reverse direction starts at the row's
// own last real step — what torch's pack_padded_sequence / pad_packed_sequence give.
#pragma once

#include <cstdint>
#include <vector>

#include "ember/autograd/ops/recurrent.h"
#include "ember/layers/module.h"
#include "ember/layers/quantized_linear.h"

namespace ember::nn {

struct RecurrentOptions {
  int64_t input_size = 0;
  int64_t hidden_size = 0;
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = true;  // ember's default; torch's is false
  bool bidirectional = false;
  float dropout = 0.0f;  // on the output of every layer but the last, in training mode
};

// The state a recurrent layer or cell starts from and returns: h, and c for the LSTM only.
// Undefined tensors are zeros; an LSTM layer takes h and c together or neither.
struct RecurrentState {
  Tensor h;  // layer: (L*D, B, H);  cell (layers/recurrent_cells.h): (B, H)
  Tensor c;  // the same shape, LSTM only
};

struct RecurrentOutput {
  Tensor output;  // (B, T, D*H), or (T, B, D*H) without batch_first
  Tensor h_n;     // (L*D, B, H)
  Tensor c_n;     // (L*D, B, H), LSTM only
};

// torch's class name of a cell type's layer: "RNN", "LSTM" or "GRU" (printouts).
const char* torch_layer_name(CellType type);

// A stacked recurrent layer of any cell type, chosen at construction (torch's RNNBase and
// flashlight's RNN with its mode): the parameters, the layer/direction loop and the one forward.
// nn::RNN, nn::LSTM and nn::GRU below are this class with the type fixed.
class RecurrentLayer : public Module {
 public:
  RecurrentLayer(CellType type, const RecurrentOptions& options);

  // x (B, T, I) or (T, B, I) from state {h0, c0} (the header's shapes; c0 for the LSTM only),
  // over the first lengths[b] steps of each row (empty = all T).
  RecurrentOutput forward(const Tensor& x, const RecurrentState& state = {},
                          const std::vector<int64_t>& lengths = {}) const;

  CellType cell_type() const { return type_; }
  const RecurrentOptions& options() const { return options_; }
  int64_t num_directions() const { return options_.bidirectional ? 2 : 1; }
  std::string extra_repr() const override;  // torch's: options that differ from torch's defaults
  std::string type_name() const override;   // "RNN", "LSTM" or "GRU", however it was built

  // The input projections W_ih (Module::quantize_int8); the recurrent products h W_hh^T, fused
  // with the gates in autograd/ops/recurrent.h, stay fp32.
  void quantize_int8() override;

 private:
  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh;  // biases undefined without bias
    Int8Weight w_ih_int8;           // null until quantize_int8()
  };
  void check_forward(const Tensor& x, const RecurrentState& state,
                     const std::vector<int64_t>& lengths) const;
  void check_state(const char* what, const Tensor& s, int64_t batch, const Tensor& x) const;

  CellType type_;
  std::string name_;  // tags errors: "rnn", "lstm" or "gru"
  RecurrentOptions options_;
  std::vector<Weights> weights_;  // index k*D + d
};

// Elman RNN with tanh: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).
class RNN : public RecurrentLayer {
 public:
  explicit RNN(const RecurrentOptions& options) : RecurrentLayer(CellType::kRnnTanh, options) {}
};

// LSTM: forward(x, {h0, c0}) with h0 and c0 together or neither (zeros); c_n in the output.
class LSTM : public RecurrentLayer {
 public:
  explicit LSTM(const RecurrentOptions& options) : RecurrentLayer(CellType::kLstm, options) {}
};

class GRU : public RecurrentLayer {
 public:
  explicit GRU(const RecurrentOptions& options) : RecurrentLayer(CellType::kGru, options) {}
};

}  // namespace ember::nn
