#include "core/threads.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "core/blas.h"

namespace ember::core {
namespace {

// EMBER_NUM_THREADS if set to a positive integer, else every hardware thread.
int threads_from_environment() {
  if (const char* env = std::getenv("EMBER_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int& current() {
  static int n = [] {
    const int t = threads_from_environment();
    omp_set_num_threads(t);
    set_blas_threads(t);
    return t;
  }();
  return n;
}

// Apply the setting when the library loads, before any pool starts.
const int kInitialised = current();

}  // namespace

int num_threads() { return current(); }

void set_num_threads(int n) {
  const int t = std::max(1, n);
  current() = t;
  omp_set_num_threads(t);
  set_blas_threads(t);
}

}  // namespace ember::core
