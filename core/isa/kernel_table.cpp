#include "ember/core/isa/kernel_table.h"

#include "ember/core/error.h"

namespace ember::core {

const KernelTable& kernel_table(Isa isa) {
  EMBER_CHECK(isa <= cpu_isa(), "[kernel_table] this CPU lacks {} (its best level is {})",
              isa_name(isa), isa_name(cpu_isa()));
  switch (isa) {
    case Isa::avx512:
      return avx512_kernel_table();
    case Isa::avx2:
      return avx2_kernel_table();
    case Isa::portable:
      break;
  }
  return portable_kernel_table();
}

const KernelTable& kernels() {
  static const KernelTable& table = kernel_table(active_isa());
  return table;
}

}  // namespace ember::core
