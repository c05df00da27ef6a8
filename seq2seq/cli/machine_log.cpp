#include "ember/seq2seq/cli/machine_log.h"

#include <spdlog/spdlog.h>

#include "ember/core/blas.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/threads.h"

namespace ember::seq2seq::cli {

void log_machine() {
  static const bool logged = [] {
    const core::Isa isa = core::active_isa(), best = core::cpu_isa();
    spdlog::debug(
        "kernels: {}{}, matrix products: {}, {} threads", core::isa_name(isa),
        isa == best ? "" : fmt::format(" (EMBER_ISA; this CPU has {})", core::isa_name(best)),
        core::gemm_backend(), core::num_threads());
    return true;
  }();
  (void)logged;
}

}  // namespace ember::seq2seq::cli
