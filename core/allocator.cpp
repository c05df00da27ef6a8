#include "ember/core/allocator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ember/core/error.h"

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

// "(12.5 GiB)": a byte count for people.
std::string gib(double bytes) { return fmt::format("({:.1f} GiB)", bytes / double(1ull << 30)); }

}  // namespace

size_t physical_memory_bytes() {
  static const size_t bytes = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return std::numeric_limits<size_t>::max();  // unknown: no limit
    return static_cast<size_t>(pages) * static_cast<size_t>(page);
  }();
  return bytes;
}

void* cached_alloc(size_t bytes) {
  // A request past physical memory can never succeed; refusing it here also keeps size_class's
  // rounding from wrapping around.
  EMBER_CHECK(bytes <= physical_memory_bytes(),
              "[alloc] cannot allocate {} bytes {}: more than the machine's physical memory, {} "
              "bytes {}",
              bytes, gib(static_cast<double>(bytes)), physical_memory_bytes(),
              gib(static_cast<double>(physical_memory_bytes())));
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
  if (p == nullptr) {
    {
      std::lock_guard<std::mutex> lock(c.mutex);  // undo the counts above
      c.stats.system_allocs--;
      c.stats.system_bytes -= cls;
      c.stats.live_bytes -= cls;
    }
    throw Error(fmt::format("[alloc] out of memory: the system refused {} bytes {} ({} bytes "
                            "already held by ember)",
                            cls, gib(static_cast<double>(cls)), allocator_stats().system_bytes));
  }
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

void reset_peak_live_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.stats.peak_live_bytes = c.stats.live_bytes;
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

namespace {

// numel floats in bytes, refused before the multiplication could wrap around (cached_alloc then
// compares the bytes with physical memory).
size_t storage_bytes(int64_t numel) {
  constexpr size_t kLimit = std::numeric_limits<size_t>::max() / sizeof(float);
  EMBER_CHECK(numel >= 0 && static_cast<uint64_t>(numel) <= kLimit,
              "[alloc] cannot allocate {} floats {}: more than the machine's physical memory, {} "
              "bytes {}",
              numel, gib(static_cast<double>(numel) * sizeof(float)), physical_memory_bytes(),
              gib(static_cast<double>(physical_memory_bytes())));
  return static_cast<size_t>(numel) * sizeof(float);
}

}  // namespace

Storage::Storage(int64_t numel)
    : data_(static_cast<float*>(cached_alloc(storage_bytes(numel)))), numel_(numel) {}

Storage::~Storage() { cached_free(data_, static_cast<size_t>(numel_) * sizeof(float)); }

}  // namespace ember::core
