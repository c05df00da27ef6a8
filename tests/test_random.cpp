#include <doctest/doctest.h>

#include <cmath>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"

using namespace ember::core;

TEST_CASE("the same seed gives the same numbers, whatever the thread count") {
  const int threads = num_threads();
  set_num_threads(1);
  Generator a(42);
  const std::vector<float> one = a.normal({kParallelElements * 2}).to_vector();
  set_num_threads(2);
  Generator b(42);
  const std::vector<float> two = b.normal({kParallelElements * 2}).to_vector();
  set_num_threads(threads);
  CHECK(one == two);
  Generator c(43);
  CHECK(c.normal({8}).to_vector() != Generator(42).normal({8}).to_vector());
}

TEST_CASE("draws advance the state; set_state replays them") {
  Generator g(7);
  const std::vector<float> first = g.uniform({5}).to_vector();
  const uint64_t counter = g.counter();
  const std::vector<float> second = g.uniform({5}).to_vector();
  CHECK(first != second);
  g.set_state(7, counter);
  CHECK(g.uniform({5}).to_vector() == second);
}

TEST_CASE("distributions have the right moments") {
  Generator g(1);
  const int64_t n = 200000;
  const std::vector<float> u = g.uniform({n}, -1.0f, 3.0f).to_vector();
  const std::vector<float> z = g.normal({n}, 2.0f, 0.5f).to_vector();
  const std::vector<float> b = g.bernoulli({n}, 0.3f).to_vector();
  double su = 0, sz = 0, szz = 0, sb = 0;
  int64_t not_binary = 0;
  float umin = 10, umax = -10;
  for (int64_t i = 0; i < n; ++i) {
    su += u[i];
    umin = std::min(umin, u[i]);
    umax = std::max(umax, u[i]);
    sz += z[i];
    szz += (z[i] - 2.0) * (z[i] - 2.0);
    sb += b[i];
    not_binary += b[i] != 0.0f && b[i] != 1.0f;
  }
  CHECK(not_binary == 0);
  CHECK(su / n == doctest::Approx(1.0).epsilon(0.01));
  CHECK(umin >= -1.0f);
  CHECK(umax < 3.0f);
  CHECK(sz / n == doctest::Approx(2.0).epsilon(0.01));
  CHECK(std::sqrt(szz / n) == doctest::Approx(0.5).epsilon(0.01));
  CHECK(sb / n == doctest::Approx(0.3).epsilon(0.02));
}

TEST_CASE("randint stays in range and rejects bad bounds") {
  Generator g(3);
  for (int i = 0; i < 1000; ++i) {
    const int64_t r = g.randint(7);
    CHECK((r >= 0 && r < 7));
  }
  CHECK_THROWS(g.randint(0));
  CHECK_THROWS(g.bernoulli({2}, 1.5f));
}

TEST_CASE("dropout is x times the mask bernoulli would draw, scaled, and advances the same") {
  Generator g(21), h(21);
  g.uniform({5});  // both generators mid-stream
  h.uniform({5});
  const NDArray x = g.normal({3, 40});
  h.normal({3, 40});
  const float p = 0.3f;
  const NDArray y = g.dropout(x.transpose(0, 1), p);  // a strided input
  const NDArray mask = h.bernoulli({40, 3}, 1.0f - p);
  CHECK(g.counter() == h.counter());
  const std::vector<float> xs = x.transpose(0, 1).contiguous().to_vector(), ys = y.to_vector(),
                           ms = mask.to_vector();
  int64_t dropped = 0;
  for (size_t i = 0; i < ys.size(); ++i) {
    CHECK(ys[i] == xs[i] * (ms[i] * (1.0f / (1.0f - p))));
    dropped += ms[i] == 0.0f;
  }
  CHECK(dropped > 10);  // about 36 of 120
  CHECK(dropped < 70);
  CHECK_THROWS_WITH_AS(g.dropout(x, 1.0f), doctest::Contains("[dropout] probability 1 outside [0, 1)"),
                       ember::Error);
}
