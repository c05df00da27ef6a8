// Time since a starting point: the clock's, and the process's CPU time (all threads), which does
// not grow while other programs hold the CPU. The trainer and the lab time their runs with these.
#pragma once

#include <chrono>
#include <ctime>

namespace ember::seq2seq {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `start` is a value of std::clock().
inline double cpu_seconds_since(std::clock_t start) {
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

}  // namespace ember::seq2seq
