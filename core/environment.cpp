#include "ember/core/environment.h"

#include <algorithm>
#include <cstdlib>

namespace ember::core {

const Environment& environment() {
  static const Environment env = [] {
    Environment e;
    if (const char* threads = std::getenv("EMBER_NUM_THREADS"))
      e.num_threads = std::max(0, std::atoi(threads));
    if (const char* isa = std::getenv("EMBER_ISA")) e.isa = isa;
    return e;
  }();
  return env;
}

}  // namespace ember::core
