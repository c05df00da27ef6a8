// The fused recurrent cells (used by autograd/ops/recurrent.cpp): one time step of one batch
// row, forward and backward, for the tanh RNN, the LSTM and the GRU. Their loops are in
// core/isa/recurrent_kernels.inc, compiled once per instruction set; kKernels names a cell's pair
// in the table of core/isa/kernel_table.h.
//
// Each cell has kGates (G), kStates (h, or h and c), kSaved (activations kept per row and step, in
// units of H), kSeparateGh (the GRU's dgh differs from its dgx) and two row kernels; gx, gh, b,
// dgx, dgh are rows of G*H, the others rows of H:
//   forward(H, gx, gh, b, h, c, saved): gh = h_{t-1} W_hh^T (without bias); h, c hold the
//     previous state on entry and the new one on exit.
//   backward(H, saved, h_prev, c_prev, dh, dc, dgx, dgh): dh, dc hold dL/dh_t, dL/dc_t on entry
//     and the elementwise part of dL/dh_{t-1}, dL/dc_{t-1} on exit (the GEMM with W_hh adds the
//     rest). Pointers a cell does not use may be null.
#pragma once

#include <cstdint>

#include "ember/core/isa/kernel_table.h"

namespace ember::core {

struct RnnTanhCell {
  static constexpr int64_t kGates = 1, kStates = 1, kSaved = 1;  // h_t
  static constexpr bool kSeparateGh = false;
  static constexpr CellKernels KernelTable::*kKernels = &KernelTable::rnn_tanh;
};

struct LstmCell {
  static constexpr int64_t kGates = 4, kStates = 2, kSaved = 5;  // i, f, g, o, tanh c_t
  static constexpr bool kSeparateGh = false;
  static constexpr CellKernels KernelTable::*kKernels = &KernelTable::lstm;
};

struct GruCell {
  static constexpr int64_t kGates = 3, kStates = 1, kSaved = 4;  // r, z, n, gh_n (with b_hn)
  static constexpr bool kSeparateGh = true;
  static constexpr CellKernels KernelTable::*kKernels = &KernelTable::gru;
};

// The forward and backward row kernels of Cell at the instruction set in use.
template <class Cell>
const CellKernels& cell_kernels() {
  return kernels().*Cell::kKernels;
}

}  // namespace ember::core
