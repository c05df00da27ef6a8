// The recurrent cells of RNN, LSTM and GRU, fused: per time step one GEMM h @ W_hh^T, then every
// gate of every row in one loop; backward runs the same way in reverse (backpropagation through
// time), with the weight gradients of a whole sequence taken in one GEMM at the end.
//
// Shapes: B batch, T time steps, H hidden size, G gates (1 tanh RNN, 4 LSTM, 3 GRU).
//   gx    (B, T, G*H)  the input projection x_t W_ih^T + b_ih of every step, computed by the
//                      caller in one GEMM over all steps (any strides: a transposed view is fine)
//   h0, c0 (B, H)      initial state (undefined = zeros; c only for the LSTM)
//   w_hh  (G*H, H)     torch's layout, gate blocks stacked along rows (LSTM i,f,g,o; GRU r,z,n)
//   b_hh  (G*H)        or undefined (no bias)
//
// Cell equations (torch.nn docs; s = sigmoid, a_t = gx_t + h_{t-1} W_hh^T + b_hh):
//   tanh RNN  h_t = tanh(a_t)
//   LSTM      (i, f, g, o) = (s, s, tanh, s)(a_t);  c_t = f c_{t-1} + i g;  h_t = o tanh(c_t)
//             (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000)
//   GRU       r = s(gx_r + gh_r), z = s(gx_z + gh_z), gh = h_{t-1} W_hh^T + b_hh,
//             n = tanh(gx_n + r * gh_n)   (b_hn inside the reset product, as torch and cuDNN),
//             h_t = (1 - z) n + z h_{t-1}   (Cho et al. 2014, eq. 5-8)
//
// Multiple outputs. An autograd Node has one output, so each op returns one packed 1-D tensor
// holding h_n (B, H), then c_n (B, H) for the LSTM, then y (B, T, H), each contiguous. The
// results handed to the caller are views of it (narrow + reshape nodes), so gradients reaching
// any of them flow into the one backward of the op, and each is a plain contiguous array.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ember/autograd/tensor.h"

namespace ember {
namespace core {
class WeightPack;  // core/weight_pack.h
}

enum class CellType { kRnnTanh, kLstm, kGru };

int64_t gate_count(CellType type);  // G: 1, 4, 3

struct SequenceOutput {
  Tensor y;    // (B, T, H) the state after each step; 0 at padded steps (t >= lengths[b])
  Tensor h_n;  // (B, H) the last state of each sequence
  Tensor c_n;  // (B, H) the last cell state (LSTM only)
};

// Runs one layer and direction of a recurrent network over the sequence. W_hh^T is packed once per
// call (core/gemm_packed.h) for the T forward steps' products when T > 1. `lengths`
// (empty, or one value in [1, T] per batch element) marks the real steps t < lengths[b]; at padded
// steps a row's state is carried through unchanged and its output is 0, as torch's
// pack_padded_sequence gives. reverse runs t = T-1 ... 0, so each sequence starts at its own last
// real step.
//   Backward, per step in reverse order, with dh_t = dy_t + dL/dh_t from step t+1:
//   RNN   da = dh_t (1 - h_t^2)
//   LSTM  dc = dc_t + dh_t o (1 - tanh^2 c_t);  di = dc g i(1-i);  df = dc c_{t-1} f(1-f);
//         dg = dc i (1 - g^2);  do = dh_t tanh(c_t) o(1-o);  dc_{t-1} = dc f
//   GRU   dn = dh_t (1-z) (1-n^2);  dz = dh_t (h_{t-1} - n) z(1-z);  dr = dn gh_n r(1-r);
//         dgx = (dr, dz, dn);  dgh = (dr, dz, r dn);  dh_{t-1} gets dh_t z
//   then dh_{t-1} += dgh_t @ W_hh (dgh = da for RNN and LSTM); dgx_t = da_t; and over all steps
//   dW_hh = sum_t dgh_t^T h_{t-1} (one GEMM), db_hh = sum_t,b dgh_t.
SequenceOutput recurrent_sequence(CellType type, const Tensor& gx, const Tensor& h0,
                                  const Tensor& c0, const Tensor& w_hh, const Tensor& b_hh,
                                  const std::vector<int64_t>& lengths = {}, bool reverse = false);

// One step of each cell, for decoders: gx (B, G*H) = x W_ih^T + b_ih, h and c (B, H) (undefined =
// zeros). The same kernels as recurrent_sequence with T = 1. w_hh_pack (optional) keeps W_hh^T
// packed across the steps of a decoder (core/weight_pack.h): the products h W_hh^T then reuse
// one packing per update of the weight, and under bf16 products backward's dgh W_hh too.
Tensor rnn_tanh_cell(const Tensor& gx, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh,
                     const std::shared_ptr<core::WeightPack>& w_hh_pack = nullptr);
Tensor gru_cell(const Tensor& gx, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh,
                const std::shared_ptr<core::WeightPack>& w_hh_pack = nullptr);

struct LstmState {
  Tensor h;  // (B, H)
  Tensor c;  // (B, H)
};
LstmState lstm_cell(const Tensor& gx, const Tensor& h, const Tensor& c, const Tensor& w_hh,
                    const Tensor& b_hh,
                    const std::shared_ptr<core::WeightPack>& w_hh_pack = nullptr);

}  // namespace ember
