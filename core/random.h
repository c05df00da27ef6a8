// Seeded random numbers. A Generator is counter-based: element i of a draw is a hash of
// (seed, counter + i), so a draw is the same whatever the thread count and the whole state is two
// integers (saved in checkpoints). The hash is SplitMix64's finaliser (Steele et al., 2014).
// The numbers a seed gives are fixed within a version of ember, not across versions: the hash
// changed on 2026-12-06 (docs/performance.md, change 16), so a checkpoint of an earlier version
// resumes with other dropout masks, and a seed gives other initial weights.
#pragma once

#include <cstdint>

#include "ember/core/ndarray.h"

namespace ember::core {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}

  void manual_seed(uint64_t seed) {
    seed_ = seed;
    counter_ = 0;
  }
  uint64_t seed() const { return seed_; }
  uint64_t counter() const { return counter_; }
  void set_state(uint64_t seed, uint64_t counter) {
    seed_ = seed;
    counter_ = counter;
  }

  NDArray uniform(const Shape& shape, float low = 0.0f, float high = 1.0f);  // [low, high)
  NDArray normal(const Shape& shape, float mean = 0.0f, float stddev = 1.0f);
  NDArray bernoulli(const Shape& shape, float p);  // 1 with probability p, else 0
  // Inverted dropout, p in [0, 1): x * m / (1 - p) with m the mask bernoulli(x.shape(), 1 - p)
  // would draw (the same elements of the same stream), in one pass and without a mask array.
  NDArray dropout(const NDArray& x, float p);
  int64_t randint(int64_t n);                      // uniform in [0, n)
  uint64_t next_u64();

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
};

// The generator used when none is passed (initialisation, dropout); seeded by manual_seed.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace ember::core
