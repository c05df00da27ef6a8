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
