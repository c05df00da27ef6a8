// Who owns the CPU threads (docs/threads.md): ember's own small pool, and nobody else. It runs
// elementwise work, reductions and the fused kernels, but only on arrays of at least
// kParallelElements, so small ops never wake it; and it splits large matrix products into blocks
// of rows or columns, each one single-threaded GEMM call (core/blas.cpp), OpenBLAS's own
// pool being kept at one thread. The count is set by the one knob: the environment variable
// EMBER_NUM_THREADS (read once, by core/environment.h) or set_num_threads(). Between jobs the
// workers spin for at most 100 microseconds and then sleep on a condition variable, so an idle
// worker never holds a core for long that another thread or program needs (OpenBLAS's and
// OpenMP's workers spin for milliseconds, and make two threads slower than one on a busy
// two-core machine).
#pragma once

#include <cstdint>
#include <functional>

namespace ember::core {

inline constexpr int64_t kParallelElements = 1 << 15;

// Threads of ember's pool (the caller counts as one).
int num_threads();
void set_num_threads(int n);

// Calls chunk(begin, end) on disjoint ranges covering [0, n), one per thread, and returns when
// all are done; the calling thread takes a share. Serial when n < 2, when one thread is set, or
// when called from inside another parallel_for. The first exception thrown by a chunk is
// rethrown here after every chunk has finished.
void parallel_chunks(int64_t n, const std::function<void(int64_t, int64_t)>& chunk);

// body(i) for every i in [0, n): split over the threads when `parallel` (callers pass a size
// test such as `n * width >= kParallelElements`), in order on this thread otherwise.
template <class Body>
void parallel_for(int64_t n, bool parallel, Body&& body) {
  if (!parallel) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
  parallel_chunks(n, [&body](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) body(i);
  });
}

}  // namespace ember::core
