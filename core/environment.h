// The one place where the library reads the environment (../shared/design.md): each variable is
// read once, the first time environment() is called, and never again.
//   EMBER_NUM_THREADS  threads of ember's pool (core/threads.h, docs/threads.md)
//   EMBER_ISA          the highest instruction set ember's kernels may use (core/cpu_isa.h,
//                      docs/performance.md): avx512, avx2 or portable
#pragma once

#include <string>

namespace ember::core {

struct Environment {
  int num_threads = 0;  // EMBER_NUM_THREADS when a positive integer, else 0 (unset)
  std::string isa;      // EMBER_ISA as given, empty when unset
};

const Environment& environment();

}  // namespace ember::core
