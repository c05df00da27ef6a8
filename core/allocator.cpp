#include "ember/core/allocator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/core/error.h"

namespace ember::core {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

// Size classes: powers of two up to 1 MiB, then multiples of 1 MiB; so a block is reused for any
// request of the same class and at most half of a small block (or 1 MiB of a big one) is slack.
size_t size_class(size_t bytes) {
  if (bytes <= kAlignment) return kAlignment;
  if (bytes <= kMiB) {
    size_t c = kAlignment;
    while (c < bytes) c <<= 1;
    return c;
  }
  return (bytes + kMiB - 1) / kMiB * kMiB;
}

// Blocks above 1 MiB. Batches of varying shapes (a seq2seq trainer's) ask for many nearby large
// sizes; a free list per exact size kept a block of every size ever seen, and a Transformer of 8 M
// parameters on AESLC with 128-piece sources held 17 GiB. So the large blocks share one cache:
//  - best fit: a request takes the smallest cached block that holds it, if that block is at most
//    a quarter larger (PyTorch's CUDA caching allocator also serves the best-fitting block);
//  - bounded: the cache holds at most as many bytes as were ever live at once, and gives the
//    blocks cached longest back to the system first (least recently freed), so ember holds at most
//    about twice what its work needs, and sizes no longer asked for age out.
class LargeBlocks {
 public:
  // A cached block of `cls` to `cls * 5/4` bytes, taken off the cache; nullptr if none.
  std::pair<void*, size_t> take(size_t cls) {
    auto it = by_size_.lower_bound(cls);
    if (it == by_size_.end() || it->first > cls + cls / 4) return {nullptr, 0};
    // Of the blocks of that size, the one freed last (a multimap keeps equal keys in the order
    // they came): its lines are the likeliest to be still in the CPU's caches.
    it = std::prev(by_size_.upper_bound(it->first));
    const auto block = it->second;
    const std::pair<void*, size_t> out{block->ptr, block->bytes};
    cached_bytes_ -= block->bytes;
    by_size_.erase(it);
    by_age_.erase(block);
    return out;
  }
  // Caches a freed block, then returns the oldest blocks to the system while the cache holds more
  // than `limit` bytes; the bytes given back.
  size_t put(void* ptr, size_t bytes, size_t limit) {
    by_age_.push_back({ptr, bytes});
    by_size_.emplace(bytes, std::prev(by_age_.end()));
    cached_bytes_ += bytes;
    size_t released = 0;
    while (cached_bytes_ > limit) {
      const Block oldest = by_age_.front();
      auto entry = by_size_.lower_bound(oldest.bytes);
      while (entry->second != by_age_.begin()) ++entry;  // this block's, among those of its size
      by_size_.erase(entry);
      by_age_.pop_front();
      std::free(oldest.ptr);
      cached_bytes_ -= oldest.bytes;
      released += oldest.bytes;
    }
    return released;
  }
  // Returns every cached block to the system; the bytes given back.
  size_t release_all() {
    for (const Block& b : by_age_) std::free(b.ptr);
    by_age_.clear();
    by_size_.clear();
    return std::exchange(cached_bytes_, 0);
  }

 private:
  struct Block {
    void* ptr;
    size_t bytes;
  };
  std::list<Block> by_age_;                                    // least recently freed first
  std::multimap<size_t, std::list<Block>::iterator> by_size_;  // the same blocks, by size
  size_t cached_bytes_ = 0;
};

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_lists;  // blocks of 1 MiB or less
  LargeBlocks large;
  std::unordered_map<void*, size_t> large_live;  // the size of each large block handed out
  AllocatorStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: storage may be freed during static teardown
  return *c;
}

// "(12.5 GiB)": a byte count for people.
std::string gib(double bytes) { return fmt::format("({:.1f} GiB)", bytes / double(1ull << 30)); }

// Counts a block of class `cls` handed out (the caller holds the mutex).
void count_live(Cache& c, size_t cls) {
  c.stats.live_bytes += cls;
  c.stats.peak_live_bytes = std::max(c.stats.peak_live_bytes, c.stats.live_bytes);
  c.stats.most_live_bytes = std::max(c.stats.most_live_bytes, c.stats.live_bytes);
}

// A cached block for class `cls`, or nullptr (the caller holds the mutex).
void* take_cached(Cache& c, size_t cls) {
  if (cls > kMiB) {
    const auto [p, bytes] = c.large.take(cls);
    if (p == nullptr) return nullptr;
    c.large_live.emplace(p, bytes);
    c.stats.cached_bytes -= bytes;
    return p;
  }
  auto it = c.free_lists.find(cls);
  if (it == c.free_lists.end() || it->second.empty()) return nullptr;
  void* p = it->second.back();
  it->second.pop_back();
  c.stats.cached_bytes -= cls;
  return p;
}

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
    if (void* p = take_cached(c, cls)) {
      c.stats.cache_hits++;
      count_live(c, cls);
      return p;
    }
  }
  void* p = std::aligned_alloc(kAlignment, cls);
  if (p == nullptr) {  // the cached blocks may be what the system lacks: give them back, retry
    empty_cache();
    p = std::aligned_alloc(kAlignment, cls);
  }
  if (p == nullptr) {
    throw Error(fmt::format("[alloc] out of memory: the system refused {} bytes {} ({} bytes "
                            "already held by ember)",
                            cls, gib(static_cast<double>(cls)), allocator_stats().system_bytes));
  }
  std::lock_guard<std::mutex> lock(c.mutex);
  c.stats.system_allocs++;
  c.stats.system_bytes += cls;
  count_live(c, cls);
  if (cls > kMiB) c.large_live.emplace(p, cls);
  return p;
}

void cached_free(void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  const size_t cls = size_class(bytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.stats.live_bytes -= cls;
  if (cls > kMiB) {
    const auto it = c.large_live.find(ptr);
    const size_t block = it->second;  // cls, or up to a quarter more (best fit)
    c.large_live.erase(it);
    const size_t released = c.large.put(ptr, block, c.stats.most_live_bytes);
    c.stats.cached_bytes += block - released;
    c.stats.system_bytes -= released;
    return;
  }
  c.free_lists[cls].push_back(ptr);
  c.stats.cached_bytes += cls;
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
  c.stats.system_bytes -= c.large.release_all();
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
