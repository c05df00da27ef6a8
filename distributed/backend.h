// Not for users: what collectives.cpp asks of the message-passing library, implemented by
// mpi_backend.cpp (Open MPI, MPICH) or, in a build without MPI, by no_mpi_backend.cpp, which
// refuses. Every operation is non-blocking; collectives.cpp waits, with a timeout.
#pragma once

#include <cstdint>
#include <memory>

#include "ember/distributed/collectives.h"

namespace ember::distributed::backend {

enum class Type { kFloat, kDouble, kInt64, kByte };

struct Request;
struct RequestDeleter {
  void operator()(Request* request) const;
};
using RequestPtr = std::unique_ptr<Request, RequestDeleter>;

bool available();  // false in a build without MPI

// Starts the library; sets this process's rank and the number of ranks.
void start(int* rank, int* size);
void stop();
[[noreturn]] void abort_job(int code);

RequestPtr start_all_reduce(void* values, int64_t count, Type type, ReduceOp op);
RequestPtr start_broadcast(void* values, int64_t count, Type type, int root);
// Gathers `count` elements of each rank into `received` (size() * count), in rank order.
RequestPtr start_all_gather(const void* values, int64_t count, void* received, Type type);
// True once complete; throws "[distributed]" naming the library's error.
bool test(Request& request);

}  // namespace ember::distributed::backend
