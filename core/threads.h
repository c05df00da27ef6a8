// Who owns the CPU threads (docs/threads.md): OpenBLAS runs the matrix products on its own
// pthread pool; ember's OpenMP loops run elementwise work and reductions, but only on arrays of at
// least kParallelElements, so small ops never wake a pool. Both pools get the same count, set by
// the one knob: the environment variable EMBER_NUM_THREADS (read once, here and nowhere else) or
// set_num_threads(). The two never run at the same time: a GEMM returns before the next loop.
#pragma once

#include <cstdint>

namespace ember::core {

inline constexpr int64_t kParallelElements = 1 << 15;

// Threads used by OpenBLAS and by ember's OpenMP loops.
int num_threads();
void set_num_threads(int n);

}  // namespace ember::core
