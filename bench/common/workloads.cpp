#include "common/workloads.h"

#include <algorithm>

namespace bench {

namespace {

// W1 and W2 warm up for six steps: both programs' first steps run slower than the rest (glibc
// maps, faults in and frees its large blocks until its mmap threshold has risen; oneDNN and
// OpenBLAS fill their buffers), by 10-15% on the 2nd to 4th step and not after the 5th
// (2026-12-07, `--warmup 0 --reps 20`, docs/performance.md). A training run is thousands of steps.
constexpr std::array<WorkloadInfo, 15> kWorkloads = {{
    {"w1", 6, 3},
    {"w2", 6, 3},
    {"w3", 1, 5},
    {"w3glu", 1, 5},
    {"w4kv_b1", 1, 5},
    {"w4kv_b32", 1, 3},
    {"w5_1", 2, 10},
    {"w5_64", 2, 10},
    {"w6", 1, 5},
    // W1 and W2 data-parallel under mpirun (ember-bench only; docs/distributed.md).
    {"w1dp", 1, 3},
    {"w1dp_after", 1, 3},
    {"w2dp", 1, 3},
    {"w2dp_after", 1, 3},
    // W4 with the weight products in int8 (ember-bench only; docs/performance.md).
    {"w4kv_b1_int8", 1, 5},
    {"w4kv_b32_int8", 1, 3},
}};

}  // namespace

std::span<const WorkloadInfo> all_workloads() { return kWorkloads; }

const WorkloadInfo* find_workload(std::string_view name) {
  const auto it = std::find_if(kWorkloads.begin(), kWorkloads.end(),
                               [&](const WorkloadInfo& w) { return w.name == name; });
  return it == kWorkloads.end() ? nullptr : &*it;
}

// Forward FLOPs, counting 2 per multiply-add of every matrix product (elementwise work, softmax,
// layer norm and the optimizer are left out). Ns = B*S source tokens, Nt = B*T target tokens:
//   encoder layer, per source token:  8E^2 (QKV, out proj) + 4EF (FFN) + 4SE (scores, A*V)
//   decoder layer, per target token:  8E^2 + 4EF + 4TE (self-attention, full T x T with the mask)
//                                     + 4E^2 + 4SE (cross-attention: Q and out proj, scores, A*V)
//                  per source token:  4E^2 (cross-attention K and V of the memory)
//   output projection, per target token: 2EV
// A training step is 3 x forward (backward computes dX and dW for every product).
double w1_flops_per_step() {
  const double e = kModel, f = kFeedForward, v = kVocab, s = kSrcLen, t = kTgtLen;
  const double ns = double{kBatch} * kSrcLen, nt = double{kBatch} * kTgtLen;
  const double encoder = ns * (8 * e * e + 4 * e * f + 4 * s * e);
  const double decoder =
      nt * (8 * e * e + 4 * e * f + 4 * t * e + 4 * e * e + 4 * s * e) + ns * 4 * e * e;
  const double forward = kLayers * (encoder + decoder) + nt * 2 * e * v;
  return 3 * forward;
}

// Forward FLOPs as for W1. Ns = B*S, Nt = B*T; Eb = embedding, He = encoder hidden per direction,
// Hd = decoder hidden, A = attention dim, M = 2*He encoder output width:
//   encoder, per source token: 2 directions x 2*4He*(Eb+He) (LSTM gates) + 2*M*A (attention keys)
//   decoder, per target token: 2*Hd*A (query) + 2*S*A (v^T tanh(q + k)) + 2*S*M (context)
//                              + 2*4Hd*(Eb+M+Hd) (LSTM cell gates) + 2*Hd*V (output projection)
// A training step is 3 x forward.
double w2_flops_per_step() {
  const double eb = kEmbed, he = kEncHidden, hd = kDecHidden, a = kAttnDim, v = kVocab;
  const double s = kSrcLen, m = 2 * he;
  const double ns = double{kBatch} * kSrcLen, nt = double{kBatch} * kTgtLen;
  const double encoder = ns * (2 * 2 * 4 * he * (eb + he) + 2 * m * a);
  const double decoder =
      nt * (2 * hd * a + 2 * s * a + 2 * s * m + 2 * 4 * hd * (eb + m + hd) + 2 * hd * v);
  return 3 * (encoder + decoder);
}

int gemm_inner_iterations(int n) {
  const double flops = 2.0 * n * n * n;
  return std::max(1, static_cast<int>(4e9 / flops));
}

}  // namespace bench
