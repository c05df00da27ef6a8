#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/threads.h"

using namespace ember::core;

TEST_CASE("set_num_threads is read back and clamped to one") {
  const int before = num_threads();
  CHECK(before >= 1);
  set_num_threads(1);
  CHECK(num_threads() == 1);
  set_num_threads(0);
  CHECK(num_threads() == 1);
  set_num_threads(before);
  CHECK(num_threads() == before);
}

TEST_CASE("parallel_for visits every index exactly once, for any thread count") {
  const int before = num_threads();
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{100003}}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      parallel_for(n, true, [&](int64_t i) { hits[static_cast<size_t>(i)]++; });
      int64_t wrong = 0;
      for (const auto& h : hits) wrong += h.load() != 1;
      CHECK(wrong == 0);
    }
  }
  set_num_threads(before);
}

TEST_CASE("a nested parallel_for runs serially inside its chunk") {
  std::atomic<int64_t> total{0};
  parallel_for(4, true, [&](int64_t) {
    parallel_for(1000, true, [&](int64_t j) { total += j; });
  });
  CHECK(total.load() == 4 * 999 * 1000 / 2);
}

TEST_CASE("an exception in a chunk reaches the caller after every chunk finished") {
  std::atomic<int64_t> done{0};
  CHECK_THROWS_WITH_AS(parallel_for(1000, true,
                                    [&](int64_t i) {
                                      done++;
                                      if (i == 500) throw ember::Error("[test] chunk failed");
                                    }),
                       doctest::Contains("[test] chunk failed"), ember::Error);
  CHECK(done.load() >= 1);
  std::atomic<int64_t> after{0};  // the pool still works
  parallel_for(100, true, [&](int64_t) { after++; });
  CHECK(after.load() == 100);
}

TEST_CASE("back-to-back jobs of different chunk counts each run every index exactly once") {
  // A thread still looking for work of a finished job must never take a chunk of the next one,
  // even when the next job has more chunks than the last.
  const int before = num_threads();
  set_num_threads(4);
  int64_t wrong = 0;
  for (int round = 0; round < 2000; ++round) {
    const int64_t n = round % 3 == 0 ? 2 : 4 + round % 5;
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    parallel_for(n, true, [&](int64_t i) { hits[static_cast<size_t>(i)]++; });
    for (const auto& h : hits) wrong += h.load() != 1;
  }
  CHECK(wrong == 0);
  set_num_threads(before);
}
