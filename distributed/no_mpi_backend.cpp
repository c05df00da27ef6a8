// The backend of a build without MPI: collectives.cpp never reaches it at world size 1, and
// init() refuses a launch on several ranks before it could.
#include <cstdlib>

#include "ember/core/error.h"
#include "ember/distributed/backend.h"

namespace ember::distributed::backend {
namespace {

[[noreturn]] void refuse() {
  throw Error(
      "[distributed] this ember was built without MPI: install an MPI (Debian: openmpi-bin "
      "libopenmpi-dev) and configure with -DEMBER_MPI=ON");
}

}  // namespace

struct Request {};

void RequestDeleter::operator()(Request* request) const { delete request; }

bool available() { return false; }
void start(int*, int*) { refuse(); }
void stop() {}
void abort_job(int code) { std::exit(code); }
RequestPtr start_all_reduce(void*, int64_t, Type, ReduceOp) { refuse(); }
RequestPtr start_broadcast(void*, int64_t, Type, int) { refuse(); }
RequestPtr start_all_gather(const void*, int64_t, void*, Type) { refuse(); }
bool test(Request&) { refuse(); }

}  // namespace ember::distributed::backend
