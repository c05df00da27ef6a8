// ember's elementwise kernels compiled for the baseline x86-64 instruction set (SSE2): the path
// every CPU can run. core/isa/kernel_instance.inc explains the scheme.
#include "ember/core/isa/kernel_prelude.h"

#define EMBER_KERNEL_ISA portable
#include "ember/core/isa/kernel_instance.inc"

const ember::core::KernelTable& ember::core::portable_kernel_table() { return portable::table(); }
