// The workloads of ember-bench (docs/performance.md); each prints its RESULT lines with impl
// "ember". They mirror bench/libtorch/ op for op, with the hyper-parameters of common/workloads.h.
#pragma once

#include <cstdint>

#include "common/bench.h"
#include "ember/core/ndarray.h"
#include "ember/gradient_step.h"

namespace bench::ember_side {

// W1, W2: `mode` kLocal is the workload of docs/performance.md; the others its data-parallel
// form under mpirun (docs/distributed.md).
void run_w1(const Args& args, GradientMode mode);  // transformer.cpp
void run_w4(const Args& args, int64_t batch, bool int8);  // transformer.cpp
void run_w2(const Args& args, GradientMode mode);  // lstm_attention.cpp
void run_w3(const Args& args, bool glu);       // conv_stack.cpp
void run_w5(const Args& args, int64_t side);   // micro.cpp: side x side tensors
void run_w6(const Args& args);                 // micro.cpp

// Random token ids, uniform in [0, kVocab), from the default generator: (rows, cols).
ember::core::IndexArray random_ids(int64_t rows, int64_t cols);

}  // namespace bench::ember_side
