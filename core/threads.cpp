#include "ember/core/threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

#include "ember/core/blas.h"
#include "ember/core/environment.h"
#include "ember/core/precision.h"

namespace ember::core {
namespace {

// EMBER_NUM_THREADS if set to a positive integer, else every CPU this process may run on (under
// `taskset -c 0`, one: a second thread would only take turns with the first).
int threads_from_environment() {
  if (const int n = environment().num_threads; n > 0) return n;
#if defined(__linux__)
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) return std::max(1, CPU_COUNT(&allowed));
#endif
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

thread_local bool inside_pool_job = false;

// How long a thread that is out of work spins before it sleeps: a worker waiting for the next
// job, or run() waiting for the last chunk. A W1 training step at two threads hands the pool
// about 650 jobs, typically a few hundred microseconds apart; waking a sleeping thread costs a
// futex call and, on a virtual machine whose idle CPU halted, an interrupt through the
// hypervisor, tens of microseconds each way. Spinning this long catches most of those gaps and
// still bounds what an idle worker can take from other programs on a busy machine
// (docs/threads.md has the measurements).
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(100);

// Tells the CPU this is a spin-wait loop (lower power, no memory-order stall on exit).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins until done() or kSpinBeforeSleep has passed; true if done() came true. Every 64 rounds it
// looks at the clock and yields, so a thread that shares its core with the one it waits for (more
// threads than cores) lets that one run instead of holding the core for the whole spin.
template <class Done>
bool spin_until(Done&& done) {
  const auto give_up = std::chrono::steady_clock::now() + kSpinBeforeSleep;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= give_up) return done();
    std::this_thread::yield();
  }
}

// A fixed set of workers that wait (spin briefly, then sleep) until run() hands them a job:
// chunk k of `chunks` goes to whoever claims it first, and run() waits until every chunk is done.
//
// A claim is one atomic word holding the job's generation, its chunk count and the next chunk
// (claim_word below). A thread takes chunk k with one compare-and-swap that also checks the
// generation, so a thread still looking for work of a finished job can never take a chunk of the
// next one, and a chunk, once claimed, keeps its job alive (run() waits for it) while the thread
// reads the job's function and size.
class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    stop();
    stopping_ = false;
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }

  void run(int64_t n, const std::function<void(int64_t, int64_t)>& chunk) {
    std::lock_guard<std::mutex> one_job(run_mutex_);  // jobs from several user threads queue
    const uint64_t chunks = static_cast<uint64_t>(std::min<int64_t>(n, threads()));
    uint64_t generation = 0;
    bool sleepers = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &chunk;
      n_ = n;
      failure_ = nullptr;
      pending_.store(static_cast<int64_t>(chunks), std::memory_order_relaxed);
      generation = generation_of(claim_.load(std::memory_order_relaxed)) + 1;
      claim_.store(claim_word(generation, chunks, 0), std::memory_order_release);
      sleepers = sleepers_ > 0;
    }
    if (sleepers) wake_.notify_all();
    take_chunks(generation);
    const auto all_done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
    if (!spin_until(all_done)) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, all_done);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  // The claim word: generation in the top 24 bits, chunk count in the next 20, next chunk in the
  // low 20 (a pool has far fewer than 2^20 threads; the generation may wrap).
  static constexpr int kCountBits = 20;
  static constexpr uint64_t kCountMask = (uint64_t{1} << kCountBits) - 1;
  static constexpr uint64_t kGenerationMask = (uint64_t{1} << (64 - 2 * kCountBits)) - 1;
  static uint64_t claim_word(uint64_t generation, uint64_t chunks, uint64_t next) {
    return (generation & kGenerationMask) << (2 * kCountBits) | chunks << kCountBits | next;
  }
  static uint64_t generation_of(uint64_t word) { return word >> (2 * kCountBits); }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  void work() {
    uint64_t seen = generation_of(claim_.load(std::memory_order_acquire));
    for (;;) {
      const auto new_job = [&] {
        return generation_of(claim_.load(std::memory_order_acquire)) != seen;
      };
      if (!spin_until(new_job)) {
        std::unique_lock<std::mutex> lock(mutex_);
        ++sleepers_;
        wake_.wait(lock, [&] { return stopping_ || new_job(); });
        --sleepers_;
        if (stopping_) return;
      }
      seen = generation_of(claim_.load(std::memory_order_acquire));
      take_chunks(seen);
    }
  }

  // Claims and runs chunks of job `generation` until none is left; the thread that finishes the
  // last one wakes run() if it sleeps.
  void take_chunks(uint64_t generation) {
    inside_pool_job = true;
    uint64_t word = claim_.load(std::memory_order_acquire);
    for (;;) {
      const uint64_t chunks = (word >> kCountBits) & kCountMask;
      const uint64_t k = word & kCountMask;
      if (generation_of(word) != (generation & kGenerationMask) || k >= chunks) break;
      if (!claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel)) continue;
      const auto total = static_cast<uint64_t>(n_);
      try {
        (*job_)(static_cast<int64_t>(total * k / chunks), static_cast<int64_t>(total * (k + 1) / chunks));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);  // run() checks pending_ under it before sleeping
        done_.notify_one();
      }
      word = claim_.load(std::memory_order_acquire);
    }
    inside_pool_job = false;
  }

  std::vector<std::thread> workers_;
  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t n_ = 0;
  std::atomic<uint64_t> claim_{0};
  std::atomic<int64_t> pending_{0};
  int sleepers_ = 0;
  bool stopping_ = false;
  std::exception_ptr failure_;
};

Pool& pool() {
  static Pool* p = [] {  // never destroyed: arrays may be freed during static teardown
    set_blas_threads(1);  // ember splits the products itself (core/blas.cpp)
    return new Pool(threads_from_environment());
  }();
  return *p;
}

// Apply the setting when the library loads, before any work starts.
const int kInitialised = pool().threads();

}  // namespace

int num_threads() { return pool().threads(); }

void set_num_threads(int n) {
  const int t = std::max(1, n);
  if (t != pool().threads()) pool().resize(t);
}

void parallel_chunks(int64_t n, const std::function<void(int64_t, int64_t)>& chunk) {
  if (n <= 0) return;
  if (n < 2 || inside_pool_job || pool().threads() == 1) {
    chunk(0, n);
    return;
  }
  // The workers run the job at the calling thread's matmul precision (a per-thread setting).
  const MatmulPrecision precision = matmul_precision();
  if (precision == MatmulPrecision::fp32) {
    pool().run(n, chunk);
    return;
  }
  pool().run(n, [&chunk, precision](int64_t begin, int64_t end) {
    const MatmulPrecisionGuard same(precision);
    chunk(begin, end);
  });
}

}  // namespace ember::core
