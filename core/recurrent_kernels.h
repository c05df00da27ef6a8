// The row kernels of the fused recurrent cells (used by autograd/ops/recurrent.cpp): one time
// step of one batch row, forward and backward, for the tanh RNN, the LSTM and the GRU. The maths
// and its derivatives are in autograd/ops/recurrent.h. Every loop is branch-free over j so that
// it vectorises, which is why they use core/fast_math.h: glibc's tanhf costs ~50 ns, more than a
// step's GEMM share at typical sizes.
#pragma once

#include <cstdint>

#include "ember/core/fast_math.h"

namespace ember::core {

// Each cell has kGates (G), kStates (h, or h and c), kSaved (activations kept per row and step, in
// units of H), kSeparateGh (the GRU's dgh differs from its dgx) and two row kernels; gx, gh, b,
// dgx, dgh are rows of G*H, the others rows of H:
//   forward(H, gx, gh, b, h, c, saved): gh = h_{t-1} W_hh^T (without bias); h, c hold the
//     previous state on entry and the new one on exit.
//   backward(H, saved, h_prev, c_prev, dh, dc, dgx, dgh): dh, dc hold dL/dh_t, dL/dc_t on entry
//     and the elementwise part of dL/dh_{t-1}, dL/dc_{t-1} on exit (the GEMM with W_hh adds the
//     rest). Pointers a cell does not use are unnamed (and may be null).
// The loops store at most five rows of `saved` each: GCC 12 gives up vectorising at six, which is
// why the LSTM's c_{t-1} is kept apart, like h_{t-1}, by the caller.
struct RnnTanhCell {
  static constexpr int64_t kGates = 1, kStates = 1, kSaved = 1;  // h_t
  static constexpr bool kSeparateGh = false;
  static void forward(int64_t H, const float* __restrict gx, const float* __restrict gh,
                      const float* __restrict b, float* __restrict h, float*,
                      float* __restrict saved) {
    for (int64_t j = 0; j < H; ++j) h[j] = saved[j] = fast_tanh(gx[j] + gh[j] + b[j]);
  }
  static void backward(int64_t H, const float* __restrict saved, const float*, const float*,
                       float* __restrict dh, float*, float* __restrict dgx, float*) {
    for (int64_t j = 0; j < H; ++j) {
      dgx[j] = dh[j] * (1.0f - saved[j] * saved[j]);
      dh[j] = 0.0f;
    }
  }
};

struct LstmCell {
  static constexpr int64_t kGates = 4, kStates = 2, kSaved = 5;  // i, f, g, o, tanh c_t
  static constexpr bool kSeparateGh = false;
  static void forward(int64_t H, const float* __restrict gx, const float* __restrict gh,
                      const float* __restrict b, float* __restrict h, float* __restrict c,
                      float* __restrict saved) {
    for (int64_t j = 0; j < H; ++j) {
      const float i = fast_sigmoid(gx[j] + gh[j] + b[j]);
      const float f = fast_sigmoid(gx[H + j] + gh[H + j] + b[H + j]);
      const float g = fast_tanh(gx[2 * H + j] + gh[2 * H + j] + b[2 * H + j]);
      const float o = fast_sigmoid(gx[3 * H + j] + gh[3 * H + j] + b[3 * H + j]);
      const float c_new = f * c[j] + i * g;
      const float tc = fast_tanh(c_new);
      saved[j] = i;
      saved[H + j] = f;
      saved[2 * H + j] = g;
      saved[3 * H + j] = o;
      saved[4 * H + j] = tc;
      c[j] = c_new;
      h[j] = o * tc;
    }
  }
  static void backward(int64_t H, const float* __restrict saved, const float* __restrict,
                       const float* __restrict c_prev, float* __restrict dh, float* __restrict dc,
                       float* __restrict dgx, float* __restrict) {
    for (int64_t j = 0; j < H; ++j) {
      const float i = saved[j], f = saved[H + j], g = saved[2 * H + j], o = saved[3 * H + j];
      const float tc = saved[4 * H + j];
      const float dct = dc[j] + dh[j] * o * (1.0f - tc * tc);
      dgx[j] = dct * g * i * (1.0f - i);
      dgx[H + j] = dct * c_prev[j] * f * (1.0f - f);
      dgx[2 * H + j] = dct * i * (1.0f - g * g);
      dgx[3 * H + j] = dh[j] * tc * o * (1.0f - o);
      dc[j] = dct * f;
      dh[j] = 0.0f;
    }
  }
};

struct GruCell {
  static constexpr int64_t kGates = 3, kStates = 1, kSaved = 4;  // r, z, n, gh_n (with b_hn)
  static constexpr bool kSeparateGh = true;
  static void forward(int64_t H, const float* __restrict gx, const float* __restrict gh,
                      const float* __restrict b, float* __restrict h, float*,
                      float* __restrict saved) {
    for (int64_t j = 0; j < H; ++j) {
      const float r = fast_sigmoid(gx[j] + gh[j] + b[j]);
      const float z = fast_sigmoid(gx[H + j] + gh[H + j] + b[H + j]);
      const float ghn = gh[2 * H + j] + b[2 * H + j];
      const float n = fast_tanh(gx[2 * H + j] + r * ghn);
      saved[j] = r;
      saved[H + j] = z;
      saved[2 * H + j] = n;
      saved[3 * H + j] = ghn;
      h[j] = (1.0f - z) * n + z * h[j];
    }
  }
  static void backward(int64_t H, const float* __restrict saved, const float* __restrict h_prev,
                       const float*, float* __restrict dh, float*, float* __restrict dgx,
                       float* __restrict dgh) {
    for (int64_t j = 0; j < H; ++j) {
      const float r = saved[j], z = saved[H + j], n = saved[2 * H + j], ghn = saved[3 * H + j];
      const float dn = dh[j] * (1.0f - z) * (1.0f - n * n);
      const float dr = dn * ghn * r * (1.0f - r);
      const float dz = dh[j] * (h_prev[j] - n) * z * (1.0f - z);
      dgx[j] = dgh[j] = dr;
      dgx[H + j] = dgh[H + j] = dz;
      dgx[2 * H + j] = dn;
      dgh[2 * H + j] = dn * r;
      dh[j] *= z;
    }
  }
};

}  // namespace ember::core
