// The processes of a data-parallel job and their collectives, on MPI (Open MPI or MPICH): every
// rank calls the same collectives in the same order, and each returns when all ranks took part.
//
//   distributed::init();                          // MPI when launched by mpirun, else nothing
//   std::vector<double> sums{loss_sum, tokens};
//   distributed::all_reduce(sums);                 // every rank now holds the totals
//   ...
//   distributed::finalize();
//
// A process started without mpirun (Open MPI), mpiexec (MPICH) or srun --mpi=pmi2 is world size
// 1 and never touches MPI: every collective returns its input at once. When ember was built
// without MPI (EMBER_MPI=OFF or no MPI found), world size 1 still works and a launch on several
// ranks is refused by init().
//
// A collective that the other ranks do not join within timeout_seconds() (a rank died, hangs, or
// runs other code) throws instead of waiting for ever; the program then calls abort(), which
// ends every rank of the job. After such a failure (or an error MPI returned), every later
// collective of this rank throws at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ember/core/ndarray.h"

namespace ember::distributed {

bool built_with_mpi();

// Starts MPI if the environment shows such a launch (OMPI_COMM_WORLD_SIZE or PMI_SIZE);
// idempotent. Throws "[distributed]" when launched on several ranks by a build without MPI, or
// when MPI fails to start. The timeout comes from the environment variable
// EMBER_DISTRIBUTED_TIMEOUT (seconds, default 600).
void init();
// Ends MPI (after init() started it); every rank must call it. Idempotent. Waits at most
// timeout_seconds() for the other ranks to call it too, then throws.
void finalize();
// init() when made, finalize() when it goes: the first line of a main(). If finalize() throws,
// the destructor prints the error and calls abort(2).
struct Session {
  Session() { init(); }
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};
// Ends every rank of the job at once with `code` (MPI_Abort), for an error that only this rank
// saw: the others would wait for it in their next collective. Without MPI: std::exit(code).
[[noreturn]] void abort(int code);

int rank();        // 0 .. world_size() - 1; 0 before init()
int world_size();  // 1 before init() and without a launcher
double timeout_seconds();

// While one lives, this rank works alone: rank() is 0, world_size() 1 and every collective
// returns its input, as in a process without mpirun (ember compare trains one model per rank
// this way). Not nested; the job's abort() still ends every rank.
class Solo {
 public:
  Solo();
  ~Solo();
  Solo(const Solo&) = delete;
  Solo& operator=(const Solo&) = delete;

 private:
  int rank_;
  int size_;
};

enum class ReduceOp { kSum, kMax, kMin };

// In place: every element becomes the reduction of that element over the ranks. Every rank
// passes the same number of elements.
void all_reduce(std::span<float> values, ReduceOp op = ReduceOp::kSum);
void all_reduce(std::span<double> values, ReduceOp op = ReduceOp::kSum);
void all_reduce(std::span<int64_t> values, ReduceOp op = ReduceOp::kSum);
void all_reduce(const core::NDArray& array, ReduceOp op = ReduceOp::kSum);  // contiguous

// Every rank receives root's values (the same count on every rank).
void broadcast(std::span<float> values, int root = 0);
void broadcast(const core::NDArray& array, int root = 0);  // contiguous
void broadcast(std::string& text, int root = 0);           // any length

// Every rank's value, in rank order, on every rank.
std::vector<std::string> all_gather(const std::string& text);
// The same, waiting up to `timeout` seconds (infinity: for as long as it takes) instead of
// timeout_seconds(): for ranks that do unequal work before it (ember compare's models, hours
// apart). A rank that dies meanwhile ends the job through the launcher, which stops the others.
std::vector<std::string> all_gather(const std::string& text, double timeout);
// (world_size, *shape) from an array of one shape on every rank.
core::NDArray all_gather(const core::NDArray& array);

// A non-blocking sum over the ranks of `values`, in place: the memory must stay alive and
// untouched until wait() returns. Progresses while this rank calls test() or other collectives.
class PendingAllReduce {
 public:
  explicit PendingAllReduce(std::span<float> values);
  ~PendingAllReduce();  // waits if still pending
  PendingAllReduce(const PendingAllReduce&) = delete;
  PendingAllReduce& operator=(const PendingAllReduce&) = delete;
  bool test();  // true once complete (lets MPI progress)
  void wait();  // throws "[distributed]" after timeout_seconds()

 private:
  struct Request;
  std::unique_ptr<Request> request_;
};

}  // namespace ember::distributed
