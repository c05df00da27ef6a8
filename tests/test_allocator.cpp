#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <new>
#include <string>
#include <vector>

#include "ember/core/allocator.h"
#include "ember/core/error.h"

using namespace ember::core;

TEST_CASE("blocks are 64-byte aligned") {
  for (size_t bytes : {1u, 63u, 64u, 1000u, 3u << 20}) {
    void* p = cached_alloc(bytes);
    CHECK(reinterpret_cast<uintptr_t>(p) % kAlignment == 0);
    cached_free(p, bytes);
  }
}

TEST_CASE("a freed block is reused for a request of the same size class") {
  void* p = cached_alloc(4000);
  cached_free(p, 4000);
  const AllocatorStats before = allocator_stats();
  void* q = cached_alloc(3000);  // same class (4096 bytes)
  const AllocatorStats after = allocator_stats();
  CHECK(q == p);
  CHECK(after.cache_hits == before.cache_hits + 1);
  CHECK(after.system_allocs == before.system_allocs);
  cached_free(q, 3000);
}

TEST_CASE("storage returns its block to the cache") {
  empty_cache();
  CHECK(allocator_stats().cached_bytes == 0);
  {
    Storage s(1000);  // 4000 bytes: the 4096-byte class
    s.data()[999] = 1.0f;
  }
  CHECK(allocator_stats().cached_bytes == 4096);
  empty_cache();
  CHECK(allocator_stats().cached_bytes == 0);
}

TEST_CASE("live, peak and system bytes follow the blocks handed out and given back") {
  empty_cache();
  const AllocatorStats start = allocator_stats();
  void* a = cached_alloc(3u << 20);  // 3 MiB class
  void* b = cached_alloc(1000);      // 1024-byte class
  const AllocatorStats both = allocator_stats();
  CHECK(both.live_bytes == start.live_bytes + (3u << 20) + 1024);
  CHECK(both.peak_live_bytes >= both.live_bytes);
  CHECK(both.system_bytes == start.system_bytes + (3u << 20) + 1024);
  cached_free(a, 3u << 20);
  const AllocatorStats one = allocator_stats();
  CHECK(one.live_bytes == start.live_bytes + 1024);
  CHECK(one.peak_live_bytes == both.peak_live_bytes);  // the peak stays
  CHECK(one.system_bytes == both.system_bytes);        // cached, not given back
  cached_free(b, 1000);
  empty_cache();
  CHECK(allocator_stats().system_bytes == start.system_bytes);
}

TEST_CASE("a large request takes the best-fitting cached block, at most a quarter larger") {
  constexpr size_t kMiB = size_t{1} << 20;
  cached_free(cached_alloc(64 * kMiB), 64 * kMiB);  // the cache's bound: at least 64 MiB
  empty_cache();
  void* ten = cached_alloc(10 * kMiB);
  void* twelve = cached_alloc(12 * kMiB);
  void* twenty = cached_alloc(20 * kMiB);
  cached_free(twenty, 20 * kMiB);
  cached_free(twelve, 12 * kMiB);
  cached_free(ten, 10 * kMiB);
  const AllocatorStats start = allocator_stats();
  CHECK(start.cached_bytes == 42 * kMiB);
  CHECK(cached_alloc(9 * kMiB + 1) == ten);  // the 10 MiB class: its own block
  CHECK(cached_alloc(11 * kMiB) == twelve);  // no 11 MiB block: the 12 MiB one fits
  const AllocatorStats taken = allocator_stats();
  CHECK(taken.cache_hits == start.cache_hits + 2);
  CHECK(taken.system_allocs == start.system_allocs);
  CHECK(taken.cached_bytes == 20 * kMiB);
  CHECK(taken.live_bytes == start.live_bytes + 21 * kMiB);  // counted by request, as before
  void* fresh = cached_alloc(14 * kMiB);  // 20 MiB is more than a quarter above 14: not taken
  CHECK(fresh != twenty);
  CHECK(allocator_stats().system_allocs == start.system_allocs + 1);
  cached_free(fresh, 14 * kMiB);
  cached_free(twelve, 11 * kMiB);  // the whole 12 MiB block goes back to the cache
  cached_free(ten, 9 * kMiB + 1);
  CHECK(allocator_stats().cached_bytes == 56 * kMiB);
  CHECK(allocator_stats().live_bytes == start.live_bytes);
  empty_cache();
  CHECK(allocator_stats().system_bytes == start.system_bytes - 42 * kMiB);
}

TEST_CASE("of the cached large blocks of one size, the one freed last is taken first") {
  constexpr size_t kMiB = size_t{1} << 20;
  void* first = cached_alloc(6 * kMiB);
  void* second = cached_alloc(6 * kMiB);
  cached_free(first, 6 * kMiB);
  cached_free(second, 6 * kMiB);  // freed last: its lines are the likeliest to be in the caches
  void* again = cached_alloc(6 * kMiB);
  CHECK(again == second);
  cached_free(again, 6 * kMiB);
  empty_cache();
}

TEST_CASE("the large blocks' cache keeps at most the most bytes ever live, oldest out first") {
  empty_cache();
  constexpr size_t kMiB = size_t{1} << 20;
  cached_free(cached_alloc(64 * kMiB), 64 * kMiB);  // at least 64 MiB were live at once
  empty_cache();
  const size_t bound = allocator_stats().most_live_bytes;
  REQUIRE(bound >= 64 * kMiB);
  // Each size more than a quarter above the one before (no cached block fits it), freed at once:
  // an unbounded cache would keep them all, half again more than the bound.
  std::vector<size_t> sizes;
  size_t total = 0;
  for (size_t mib = 2; total <= bound + bound / 2; mib += mib * 3 / 10 + 1) {
    sizes.push_back(mib * kMiB);
    total += mib * kMiB;
  }
  for (const size_t bytes : sizes) {
    cached_free(cached_alloc(bytes), bytes);
    CHECK(allocator_stats().cached_bytes <= bound);
  }
  CHECK(allocator_stats().system_bytes < total);
  const AllocatorStats before = allocator_stats();
  void* newest = cached_alloc(sizes.back());  // freed last: still cached
  CHECK(allocator_stats().cache_hits == before.cache_hits + 1);
  void* oldest = cached_alloc(sizes.front());  // freed first: given back to the system
  CHECK(allocator_stats().system_allocs == before.system_allocs + 1);
  cached_free(newest, sizes.back());
  cached_free(oldest, sizes.front());
  empty_cache();
}

TEST_CASE("reset_peak_live_bytes starts a new peak at the bytes live now") {
  void* big = cached_alloc(8u << 20);
  cached_free(big, 8u << 20);
  const AllocatorStats before = allocator_stats();
  CHECK(before.peak_live_bytes >= before.live_bytes + (8u << 20));
  reset_peak_live_bytes();
  CHECK(allocator_stats().peak_live_bytes == before.live_bytes);
  void* small = cached_alloc(1000);  // 1024-byte class
  CHECK(allocator_stats().peak_live_bytes == before.live_bytes + 1024);
  cached_free(small, 1000);
  CHECK(allocator_stats().peak_live_bytes == before.live_bytes + 1024);
}

TEST_CASE("a request past physical memory is an ember::Error naming the bytes") {
  CHECK(physical_memory_bytes() > 0);
  const AllocatorStats before = allocator_stats();
  // SIZE_MAX - 10 wrapped around in size_class and came back as a tiny block.
  const size_t huge = SIZE_MAX - 10;
  const std::string expected = fmt::format("[alloc] cannot allocate {} bytes", huge);
  CHECK_THROWS_WITH_AS(cached_alloc(huge), doctest::Contains(expected.c_str()), ember::Error);
  CHECK_THROWS_WITH_AS(cached_alloc(physical_memory_bytes() + 1),
                       doctest::Contains("more than the machine's physical memory"), ember::Error);
  CHECK_THROWS_WITH_AS(Storage(INT64_MAX),
                       doctest::Contains("[alloc] cannot allocate 9223372036854775807 floats"),
                       ember::Error);
  const AllocatorStats after = allocator_stats();
  CHECK(after.system_allocs == before.system_allocs);
  CHECK(after.live_bytes == before.live_bytes);
}

TEST_CASE("the system's refusal is an ember::Error naming the bytes, not std::bad_alloc") {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's allocator maps terabytes of shadow memory and aborts when a cap on the
  // address space makes it fail: this runs in the ordinary build only.
  return;
#endif
  // Cap the address space a little above what the process maps now, ask for more than the cap
  // allows (but less than physical memory), and restore the cap.
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0;
  statm >> pages;
  REQUIRE(pages > 0);
  const size_t mapped = pages * static_cast<size_t>(sysconf(_SC_PAGE_SIZE));
  const size_t request = size_t{1} << 30;
  if (physical_memory_bytes() <= request) return;  // nothing to show on so small a machine
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_AS, &saved) == 0);
  rlimit capped = saved;
  capped.rlim_cur = mapped + (size_t{256} << 20);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < capped.rlim_cur) return;
  REQUIRE(setrlimit(RLIMIT_AS, &capped) == 0);
  std::string message;
  try {
    cached_free(cached_alloc(request), request);
  } catch (const ember::Error& e) {
    message = e.what();
  } catch (const std::bad_alloc&) {
    message = "std::bad_alloc";
  }
  REQUIRE(setrlimit(RLIMIT_AS, &saved) == 0);
  CHECK(message.find("[alloc] out of memory: the system refused 1073741824 bytes") !=
        std::string::npos);
}
