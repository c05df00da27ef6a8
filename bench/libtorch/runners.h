// The workloads of bench-libtorch (docs/performance.md); each prints its RESULT lines.
#pragma once

#include "common/bench.h"

namespace bench::libtorch {

void run_w1(const Args& args);                 // transformer.cpp
void run_w2(const Args& args);                 // lstm_attention.cpp
void run_w3(const Args& args, bool glu);       // conv_stack.cpp
void run_w4(const Args& args, int64_t batch);  // decode.cpp
void run_w5(const Args& args, int64_t side);   // micro.cpp: side x side tensors
void run_w6(const Args& args);                 // micro.cpp

}  // namespace bench::libtorch
