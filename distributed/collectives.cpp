// The collectives at world size 1 (nothing to do) and above it (the backend's non-blocking
// operations, waited for with a timeout).
#include "ember/distributed/collectives.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "ember/core/error.h"
#include "ember/core/shape.h"
#include "ember/distributed/backend.h"

namespace ember::distributed {
namespace {

struct World {
  bool started = false;  // the backend runs (world launched by mpirun)
  int rank = 0;
  int size = 1;
  double timeout = 600.0;
  bool failed = false;  // a collective timed out or MPI returned an error: the job is ending
};
World world;

// The number of ranks a launcher announced in the environment (0: not launched by one).
int launched_size() {
  // Open MPI's mpirun; MPICH's mpiexec (Hydra) and Slurm's srun --mpi=pmi2 (PMI).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* value = std::getenv(name)) return std::max(std::atoi(value), 1);
  }
  return 0;
}

double timeout_from_environment() {
  const char* value = std::getenv("EMBER_DISTRIBUTED_TIMEOUT");
  if (value == nullptr) return 600.0;
  char* end = nullptr;
  const double seconds = std::strtod(value, &end);
  EMBER_CHECK(end != value && *end == '\0' && seconds > 0.0,
              "[distributed] EMBER_DISTRIBUTED_TIMEOUT is '{}': expected seconds above 0", value);
  return seconds;
}

// Waits for a request, testing it: at first without pause (a collective between two ranks of
// one machine takes microseconds), then yielding the core, then sleeping 1 ms between tests, so
// that a rank waiting for a slow one does not take its core. Throws after the timeout.
// Once one collective failed, the others fail at once: the rank is on its way to abort() (the
// error reaches main), and each pending wait would otherwise add a whole timeout before it.
void wait_for(backend::Request& request, const char* what, double timeout = world.timeout) {
  EMBER_CHECK(!world.failed, "[distributed] rank {} of {}: {} after an earlier collective failed",
              world.rank, world.size, what);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  for (int64_t tests = 0;; ++tests) {
    try {
      if (backend::test(request)) return;
    } catch (const Error&) {
      world.failed = true;
      throw;
    }
    if (tests < 1000) continue;
    const double waited = std::chrono::duration<double>(clock::now() - start).count();
    if (waited > timeout) {
      world.failed = true;
      throw Error(fmt::format(
          "[distributed] rank {} of {} waited {:g} s for the other ranks to join {}: one of them "
          "died, hangs, or runs other code (EMBER_DISTRIBUTED_TIMEOUT sets the limit)",
          world.rank, world.size, timeout, what));
    }
    if (waited < 1.0)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void run(backend::RequestPtr request, const char* what, double timeout = world.timeout) {
  wait_for(*request, what, timeout);
}

void check_contiguous(const core::NDArray& array, const char* op) {
  EMBER_CHECK(array.defined() && array.is_contiguous(),
              "[distributed] {} needs a defined contiguous array (shape {})", op,
              array.defined() ? core::shape_str(array.shape()) : "undefined");
}

}  // namespace

bool built_with_mpi() { return backend::available(); }

void init() {
  if (world.started) return;
  world.timeout = timeout_from_environment();
  const int launched = launched_size();
  if (launched == 0) return;
  EMBER_CHECK(backend::available() || launched == 1,
              "[distributed] launched on {} ranks, but this ember was built without MPI: install "
              "an MPI (Debian: openmpi-bin libopenmpi-dev) and configure with -DEMBER_MPI=ON",
              launched);
  if (!backend::available()) return;
  backend::start(&world.rank, &world.size);
  world.started = true;
}

void finalize() {
  if (!world.started) return;
  // MPI_Finalize waits for every rank (Open MPI: a fence) without a timeout, so a rank hung after
  // its last collective would hold the others there for ever. A timed all-reduce first: once it
  // completes, every rank has reached its end. Not after a failure: the job is being aborted.
  if (world.size > 1 && !world.failed) {
    int64_t ranks = 1;
    run(backend::start_all_reduce(&ranks, 1, backend::Type::kInt64, ReduceOp::kSum),
        "the end of the job (finalize)");
  }
  backend::stop();
  world = World{};
}

Session::~Session() {
  try {
    finalize();
  } catch (const Error& e) {
    // A destructor cannot throw: the error is printed here, and the job ended as main would.
    std::fprintf(stderr, "error rank %d of %d: %s\n", world.rank, world.size, e.what());
    abort(2);
  }
}

void abort(int code) {
  if (world.started) backend::abort_job(code);
  std::exit(code);
}

int rank() { return world.rank; }
int world_size() { return world.size; }
double timeout_seconds() { return world.timeout; }

Solo::Solo() : rank_(world.rank), size_(world.size) {
  world.rank = 0;
  world.size = 1;
}

Solo::~Solo() {
  world.rank = rank_;
  world.size = size_;
}

void all_reduce(std::span<float> values, ReduceOp op) {
  if (world.size > 1)
    run(backend::start_all_reduce(values.data(), values.size(), backend::Type::kFloat, op),
        "an all-reduce");
}

void all_reduce(std::span<double> values, ReduceOp op) {
  if (world.size > 1)
    run(backend::start_all_reduce(values.data(), values.size(), backend::Type::kDouble, op),
        "an all-reduce");
}

void all_reduce(std::span<int64_t> values, ReduceOp op) {
  if (world.size > 1)
    run(backend::start_all_reduce(values.data(), values.size(), backend::Type::kInt64, op),
        "an all-reduce");
}

void all_reduce(const core::NDArray& array, ReduceOp op) {
  check_contiguous(array, "all_reduce");
  all_reduce(std::span<float>(array.data(), array.numel()), op);
  array.mark_modified();
}

void broadcast(std::span<float> values, int root) {
  if (world.size > 1)
    run(backend::start_broadcast(values.data(), values.size(), backend::Type::kFloat, root),
        "a broadcast");
}

void broadcast(const core::NDArray& array, int root) {
  check_contiguous(array, "broadcast");
  broadcast(std::span<float>(array.data(), array.numel()), root);
  array.mark_modified();
}

void broadcast(std::string& text, int root) {
  if (world.size == 1) return;
  int64_t length = static_cast<int64_t>(text.size());
  run(backend::start_broadcast(&length, 1, backend::Type::kInt64, root), "a broadcast");
  text.resize(length);
  run(backend::start_broadcast(text.data(), length, backend::Type::kByte, root), "a broadcast");
}

std::vector<std::string> all_gather(const std::string& text) {
  return all_gather(text, world.timeout);
}

std::vector<std::string> all_gather(const std::string& text, double timeout) {
  if (world.size == 1) return {text};
  // The lengths first, then every text padded to the longest.
  int64_t length = static_cast<int64_t>(text.size());
  std::vector<int64_t> lengths(world.size);
  run(backend::start_all_gather(&length, 1, lengths.data(), backend::Type::kInt64), "an all-gather",
      timeout);
  const int64_t longest = *std::max_element(lengths.begin(), lengths.end());
  std::string padded = text;
  padded.resize(longest);
  std::string received(longest * world.size, '\0');
  run(backend::start_all_gather(padded.data(), longest, received.data(), backend::Type::kByte),
      "an all-gather", timeout);
  std::vector<std::string> texts;
  for (int r = 0; r < world.size; ++r) texts.push_back(received.substr(r * longest, lengths[r]));
  return texts;
}

core::NDArray all_gather(const core::NDArray& array) {
  check_contiguous(array, "all_gather");
  core::Shape shape = array.shape();
  shape.insert(shape.begin(), world.size);
  if (world.size == 1) return array.clone().view(shape);
  // Every rank must hold the same shape: gathered first, so that a mismatch is named, not
  // read out of bounds.
  const std::vector<std::string> shapes = all_gather(core::shape_str(array.shape()));
  for (int r = 0; r < world.size; ++r) {
    EMBER_CHECK(shapes[r] == shapes[world.rank],
                "[distributed] all_gather of arrays of different shapes: {} on rank {}, {} on rank "
                "{}",
                shapes[world.rank], world.rank, shapes[r], r);
  }
  core::NDArray gathered = core::NDArray::empty(shape);
  run(backend::start_all_gather(array.data(), array.numel(), gathered.data(),
                                backend::Type::kFloat),
      "an all-gather");
  return gathered;
}

struct PendingAllReduce::Request {
  backend::RequestPtr handle;
  bool done = false;
};

PendingAllReduce::PendingAllReduce(std::span<float> values)
    : request_(std::make_unique<Request>()) {
  if (world.size == 1) {
    request_->done = true;
    return;
  }
  request_->handle = backend::start_all_reduce(values.data(), values.size(), backend::Type::kFloat,
                                               ReduceOp::kSum);
}

PendingAllReduce::~PendingAllReduce() {
  // A pending request whose memory goes away would be written later: wait. If the wait fails,
  // the job is failing and MPI_Abort follows; the request is left to it, as MPI forbids freeing
  // the request of a non-blocking collective still in flight (MPI 3.1, section 5.12).
  try {
    wait();
  } catch (const Error&) {
    static_cast<void>(request_->handle.release());
  }
}

bool PendingAllReduce::test() {
  if (!request_->done) request_->done = backend::test(*request_->handle);
  return request_->done;
}

void PendingAllReduce::wait() {
  if (request_->done) return;
  wait_for(*request_->handle, "a gradient all-reduce");
  request_->done = true;
}

}  // namespace ember::distributed
