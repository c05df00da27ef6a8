#include "ember/core/threads.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "ember/core/blas.h"
#include "ember/core/environment.h"
#include "ember/core/precision.h"

namespace ember::core {
namespace {

// EMBER_NUM_THREADS if set to a positive integer, else every hardware thread.
int threads_from_environment() {
  if (const int n = environment().num_threads; n > 0) return n;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

thread_local bool inside_pool_job = false;

// A fixed set of workers that sleep until run() hands them a job: chunk k of `chunks` goes to
// whoever takes it first (an atomic counter), and run() waits until every chunk is done.
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
    const int64_t chunks = std::min<int64_t>(n, threads());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &chunk;
      n_ = n;
      chunks_ = chunks;
      next_ = 0;
      pending_ = chunks;
      failure_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    take_chunks();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
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
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
      take_chunks();
    }
  }

  // Runs chunks until none is left; the last one to finish wakes run().
  void take_chunks() {
    inside_pool_job = true;
    for (;;) {
      const int64_t k = next_.fetch_add(1);
      if (k >= chunks_) break;
      try {
        (*job_)(n_ * k / chunks_, n_ * (k + 1) / chunks_);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
    inside_pool_job = false;
  }

  std::vector<std::thread> workers_;
  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t n_ = 0, chunks_ = 0, pending_ = 0;
  std::atomic<int64_t> next_{0};
  uint64_t generation_ = 0;
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
