#include "ember/core/random.h"

#include <cmath>
#include <numbers>

#include "ember/core/error.h"
#include "ember/core/isa/kernel_table.h"
#include "ember/core/threads.h"

namespace ember::core {
namespace {

#include "ember/core/isa/counter_hash.inc"

// The top 24 bits as a float in [0, 1).
float unit_float(uint64_t bits) { return static_cast<float>(bits >> 40) * 0x1.0p-24f; }

// out[i] = f(hash(seed, base + i)) for i < n, in parallel for large n; advances nothing.
template <class F>
NDArray draw(const Shape& shape, uint64_t seed, uint64_t base, F f) {
  NDArray out = NDArray::empty(shape);
  float* p = out.data();
  const int64_t n = out.numel();
  parallel_for(n, n >= kParallelElements, [&](int64_t i) { p[i] = f(hash(seed, base + static_cast<uint64_t>(i))); });
  return out;
}

}  // namespace

NDArray Generator::uniform(const Shape& shape, float low, float high) {
  NDArray out = draw(shape, seed_, counter_,
                     [=](uint64_t h) { return low + (high - low) * unit_float(h); });
  counter_ += static_cast<uint64_t>(out.numel());
  return out;
}

// Box-Muller: z = sqrt(-2 ln u1) cos(2 pi u2), u1 and u2 from the two halves of one hash.
NDArray Generator::normal(const Shape& shape, float mean, float stddev) {
  NDArray out = draw(shape, seed_, counter_, [=](uint64_t h) {
    const float u1 = (static_cast<float>(h >> 40) + 1.0f) * 0x1.0p-24f;  // (0, 1]: log is finite
    const float u2 = static_cast<float>((h >> 8) & 0xffffff) * 0x1.0p-24f;
    const float z = std::sqrt(-2.0f * std::log(u1)) * std::cos(2.0f * std::numbers::pi_v<float> * u2);
    return mean + stddev * z;
  });
  counter_ += static_cast<uint64_t>(out.numel());
  return out;
}

NDArray Generator::bernoulli(const Shape& shape, float p) {
  EMBER_CHECK(p >= 0.0f && p <= 1.0f, "[bernoulli] probability {} outside [0, 1]", p);
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(p) * 0x1.0p24);
  NDArray out = draw(shape, seed_, counter_,
                     [=](uint64_t h) { return (h >> 40) < threshold ? 1.0f : 0.0f; });
  counter_ += static_cast<uint64_t>(out.numel());
  return out;
}

NDArray Generator::dropout(const NDArray& x, float p) {
  EMBER_CHECK(p >= 0.0f && p < 1.0f, "[dropout] probability {} outside [0, 1)", p);
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(1.0f - p) * 0x1.0p24);
  const float scale = 1.0f / (1.0f - p);
  const NDArray in = x.contiguous();
  NDArray out = NDArray::empty(x.shape());
  const int64_t n = out.numel();
  const auto kernel = kernels().dropout_range;  // core/isa/random_kernels.inc
  const auto range = [&, seed = seed_, base = counter_](int64_t begin, int64_t end) {
    kernel(seed, base, threshold, scale, in.data(), out.data(), begin, end);
  };
  if (n >= kParallelElements)
    parallel_chunks(n, range);
  else
    range(0, n);
  counter_ += static_cast<uint64_t>(n);
  return out;
}

uint64_t Generator::next_u64() { return hash(seed_, counter_++); }

int64_t Generator::randint(int64_t n) {
  EMBER_CHECK(n > 0, "[randint] upper bound must be positive, got {}", n);
  return static_cast<int64_t>(next_u64() % static_cast<uint64_t>(n));
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace ember::core
