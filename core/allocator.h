// A caching allocator for array storage: 64-byte aligned blocks, rounded up to size classes and
// kept on free lists when released, so a training step that allocates the same shapes again and
// again reaches malloc only during its first step. Blocks above 1 MiB are reused by best fit (a
// quarter of slack at most) and their cache is bounded by the most bytes ever live at once, the
// least recently freed going back to the system first (core/allocator.cpp says why).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::core {

inline constexpr size_t kAlignment = 64;

// Returns a block of at least `bytes` bytes, aligned to kAlignment. Thread-safe. When the system
// refuses, the cache is given back and the request tried once more. Throws
// "[alloc] ... <bytes> bytes ..." (an ember::Error, never std::bad_alloc) for a request larger
// than the machine's physical memory, or when the system has no block of that size.
void* cached_alloc(size_t bytes);
// Returns a block from cached_alloc(bytes) to its free list.
void cached_free(void* ptr, size_t bytes);

struct AllocatorStats {
  size_t system_allocs = 0;  // blocks obtained from the system so far
  size_t cache_hits = 0;     // requests served from the cache
  size_t cached_bytes = 0;   // bytes of the blocks sitting in the cache now
  size_t live_bytes = 0;     // bytes handed out and not yet returned (size classes, not requests)
  size_t peak_live_bytes = 0;
  size_t most_live_bytes = 0;  // the most bytes ever live at once (reset_peak_live_bytes leaves it)
  size_t system_bytes = 0;   // bytes obtained from the system and not given back
};
AllocatorStats allocator_stats();
// Starts a new peak: peak_live_bytes becomes live_bytes (torch.cuda.reset_peak_memory_stats), so
// the peak read later is that of the work in between.
void reset_peak_live_bytes();
// Gives every cached block back to the system.
void empty_cache();

// The machine's physical memory in bytes (sysconf: pages times page size), read once; what no
// single allocation may exceed.
size_t physical_memory_bytes();

// Owns one block of float32 storage shared by an array and its views.
class Storage {
 public:
  explicit Storage(int64_t numel);  // numel >= 1; throws "[alloc]" like cached_alloc
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  float* data() const { return data_; }
  int64_t numel() const { return numel_; }

  // How many times the values were written in place (NDArray's fill_, copy_, add_, mul_ and
  // mark_modified), as PyTorch's version counter: autograd compares it with the count an op saw
  // in its forward pass. Not atomic: in-place writes to one storage are not made concurrently.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  float* data_;
  int64_t numel_;
  uint64_t version_ = 0;
};

}  // namespace ember::core
