// The backend on MPI: MPI_COMM_WORLD, errors returned (not MPI's default of aborting) and turned
// into ember::Error, every collective non-blocking (MPI-3).
#include <mpi.h>

#include <climits>

#include "ember/core/error.h"
#include "ember/distributed/backend.h"

namespace ember::distributed::backend {

struct Request {
  MPI_Request handle = MPI_REQUEST_NULL;
};

namespace {

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(fmt::format("[distributed] {} failed: {}", call, std::string(text, length)));
}

MPI_Datatype datatype(Type type) {
  switch (type) {
    case Type::kFloat:
      return MPI_FLOAT;
    case Type::kDouble:
      return MPI_DOUBLE;
    case Type::kInt64:
      return MPI_INT64_T;
    case Type::kByte:
      break;
  }
  return MPI_BYTE;
}

MPI_Op operation(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return MPI_SUM;
    case ReduceOp::kMax:
      return MPI_MAX;
    case ReduceOp::kMin:
      break;
  }
  return MPI_MIN;
}

int mpi_count(int64_t count, const char* call) {
  EMBER_CHECK(count >= 0 && count <= INT_MAX,
              "[distributed] {} of {} elements: MPI counts stop at {}", call, count, INT_MAX);
  return static_cast<int>(count);
}

}  // namespace

void RequestDeleter::operator()(Request* request) const {
  if (request->handle != MPI_REQUEST_NULL) MPI_Request_free(&request->handle);
  delete request;
}

bool available() { return true; }

void start(int* rank, int* size) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // Collectives come from the thread that runs backward; ember's worker threads never call MPI.
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  }
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(MPI_COMM_WORLD, rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, size), "MPI_Comm_size");
}

void stop() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void abort_job(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; this satisfies [[noreturn]]
}

RequestPtr start_all_reduce(void* values, int64_t count, Type type, ReduceOp op) {
  RequestPtr request(new Request);
  check(MPI_Iallreduce(MPI_IN_PLACE, values, mpi_count(count, "MPI_Iallreduce"), datatype(type),
                       operation(op), MPI_COMM_WORLD, &request->handle),
        "MPI_Iallreduce");
  return request;
}

RequestPtr start_broadcast(void* values, int64_t count, Type type, int root) {
  RequestPtr request(new Request);
  check(MPI_Ibcast(values, mpi_count(count, "MPI_Ibcast"), datatype(type), root, MPI_COMM_WORLD,
                   &request->handle),
        "MPI_Ibcast");
  return request;
}

RequestPtr start_all_gather(const void* values, int64_t count, void* received, Type type) {
  RequestPtr request(new Request);
  const int n = mpi_count(count, "MPI_Iallgather");
  check(MPI_Iallgather(values, n, datatype(type), received, n, datatype(type), MPI_COMM_WORLD,
                       &request->handle),
        "MPI_Iallgather");
  return request;
}

bool test(Request& request) {
  int done = 0;
  check(MPI_Test(&request.handle, &done, MPI_STATUS_IGNORE), "MPI_Test");
  return done != 0;
}

}  // namespace ember::distributed::backend
