#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>

#include "core/allocator.h"

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
