#include "core/allocator.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace ember::core {
namespace {

// Size classes: powers of two up to 1 MiB, then multiples of 1 MiB; so a block is reused for any
// request of the same class and at most half of a small block (or 1 MiB of a big one) is slack.
size_t size_class(size_t bytes) {
  constexpr size_t kMiB = size_t{1} << 20;
  if (bytes <= kAlignment) return kAlignment;
  if (bytes <= kMiB) {
    size_t c = kAlignment;
    while (c < bytes) c <<= 1;
    return c;
  }
  return (bytes + kMiB - 1) / kMiB * kMiB;
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_lists;
  AllocatorStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: storage may be freed during static teardown
  return *c;
}

}  // namespace

void* cached_alloc(size_t bytes) {
  const size_t cls = size_class(bytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_lists.find(cls);
    if (it != c.free_lists.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.stats.cache_hits++;
      c.stats.cached_bytes -= cls;
      c.stats.live_bytes += cls;
      c.stats.peak_live_bytes = std::max(c.stats.peak_live_bytes, c.stats.live_bytes);
      return p;
    }
    c.stats.system_allocs++;
    c.stats.system_bytes += cls;
    c.stats.live_bytes += cls;
    c.stats.peak_live_bytes = std::max(c.stats.peak_live_bytes, c.stats.live_bytes);
  }
  void* p = std::aligned_alloc(kAlignment, cls);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void cached_free(void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  const size_t cls = size_class(bytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free_lists[cls].push_back(ptr);
  c.stats.cached_bytes += cls;
  c.stats.live_bytes -= cls;
}

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [cls, list] : c.free_lists) {
    for (void* p : list) std::free(p);
    c.stats.system_bytes -= cls * list.size();
    list.clear();
  }
  c.stats.cached_bytes = 0;
}

Storage::Storage(int64_t numel)
    : data_(static_cast<float*>(cached_alloc(static_cast<size_t>(numel) * sizeof(float)))),
      numel_(numel) {}

Storage::~Storage() { cached_free(data_, static_cast<size_t>(numel_) * sizeof(float)); }

}  // namespace ember::core
