// The hot elementwise kernels of ember, behind one table of function pointers per instruction
// set. Each kernel has one source (core/isa/*_kernels.inc), compiled three times by
// kernels_portable.cpp, kernels_avx2.cpp and kernels_avx512.cpp (kernel_instance.inc explains
// how); kernels() hands out the table of the level chosen at start-up (core/cpu_isa.h). Callers
// are the public functions of core/softmax.h, core/layer_norm.h, core/cross_entropy.h,
// core/recurrent_kernels.h, core/additive_score.h, core/random.h, core/gemm_packed.h and
// optim/adam.h; the arguments are described there.
#pragma once

#include <cstdint>

#include "ember/core/cpu_isa.h"
#include "ember/core/softmax.h"

namespace ember::core {

// One recurrent cell's row kernels (core/recurrent_kernels.h).
struct CellKernels {
  void (*forward)(int64_t H, const float* gx, const float* gh, const float* b, float* h, float* c,
                  float* saved);
  void (*backward)(int64_t H, const float* saved, const float* h_prev, const float* c_prev,
                   float* dh, float* dc, float* dgx, float* dgh);
};

// The constants of one Adam update (optim/adam.cpp): m = b1 m + keep1 g, v = b2 v + keep2 g^2,
// p = shrink p - step_size m / (sqrt(v) / correction2 + eps), with g += l2 * p first.
struct AdamStep {
  float b1, b2, keep1, keep2, eps, step_size, correction2, l2, shrink;
};

// The float32 micro-kernel of core::gemm_packed (gemm_packed_kernels.inc): tile[r - 1] computes
// C (r x nr) = alpha * A B + beta * C over kc steps of k from r <= mr rows of a row-major A (row
// stride lda) and a B panel packed k-major with stride nr (core/gemm_packed.h).
inline constexpr int64_t kMaxPackedMR = 12;
struct PackedGemmKernels {
  int64_t mr, nr;  // the register block: rows of A, columns of B
  void (*tile[kMaxPackedMR])(int64_t kc, const float* a, int64_t lda, const float* b, float alpha,
                             float beta, float* c, int64_t ldc);
};

// The additive attention score's row kernels (additive_score_kernels.inc, core/additive_score.h):
// one key row k of width a against its query q and the score vector v.
struct AdditiveScoreKernels {
  float (*row)(int64_t a, const float* k, const float* q, const float* v);
  void (*row_backward)(int64_t a, const float* k, const float* q, const float* v, float d,
                       float* dk, float* dq, float* dv);
};

struct KernelTable {
  Isa isa;
  // softmax_kernels.inc: a lane of n elements at stride `stride` (softmax.h).
  void (*softmax_lane)(float* y, int64_t n, int64_t stride, const float* mask, int64_t mask_stride,
                       float scale, bool log_space);
  void (*softmax_backward_lane)(float* dx, const float* y, const float* dy, int64_t n,
                                const int64_t* strides, float scale);
  void (*log_softmax_backward_lane)(float* dx, const float* y, const float* dy, int64_t n,
                                    const int64_t* strides);
  double (*sum_lane)(const float* x, int64_t n, int64_t stride);
  ExpSum (*exp_shifted_lane)(float* x, int64_t n);
  float (*log_sum_exp_lane)(const float* x, int64_t n);
  // layer_norm_kernels.inc: rows of d contiguous floats.
  void (*layer_norm_row)(const float* x, const float* w, const float* b, int64_t d, float eps,
                         float* y, float* mean, float* rstd);
  void (*layer_norm_backward_row)(const float* dy, const float* x, const float* w, float mean,
                                  float rstd, int64_t d, float* dx);
  void (*layer_norm_param_grads)(const float* dy, const float* x, const float* mean,
                                 const float* rstd, int64_t rows, int64_t d, float* dw, float* db);
  // cross_entropy_kernels.inc (cross_entropy.h)
  void (*cross_entropy_row_gradient)(const float* x, int64_t classes, int64_t t, float lse,
                                     float eps, float w, float* d);
  double (*cross_entropy_row_loss_and_gradient)(float* x, int64_t classes, int64_t t, float eps,
                                                float w);
  // adam_kernels.inc: elements [begin, end) of one update.
  void (*adam_range)(float* p, const float* g, float* m, float* v, int64_t begin, int64_t end,
                     const AdamStep& step);
  // recurrent_kernels.inc
  CellKernels rnn_tanh, lstm, gru;
  // additive_score_kernels.inc
  AdditiveScoreKernels additive_score;
  // random_kernels.inc: elements [begin, end) of Generator::dropout (core/random.h).
  void (*dropout_range)(uint64_t seed, uint64_t base, uint64_t threshold, float scale,
                        const float* x, float* y, int64_t begin, int64_t end);
  // gemm_packed_kernels.inc
  PackedGemmKernels packed_gemm;
};

// The table compiled for `isa` (tests run every level the CPU supports through it). Asking for a
// level above cpu_isa() throws ember::Error: its code would not run here.
const KernelTable& kernel_table(Isa isa);

// The table of active_isa(), chosen on the first call.
const KernelTable& kernels();

// One table per instruction set (kernels_<isa>.cpp).
const KernelTable& portable_kernel_table();
const KernelTable& avx2_kernel_table();
const KernelTable& avx512_kernel_table();

}  // namespace ember::core
