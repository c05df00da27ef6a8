// ember's elementwise kernels compiled for AVX2 and FMA (8 floats per register).
// core/isa/kernel_instance.inc explains the scheme.
#include "ember/core/isa/kernel_prelude.h"

#if defined(__GNUC__) && !defined(__clang__)  // clang builds (the fuzzers) keep the baseline
#pragma GCC target("avx2,fma")
#define EMBER_KERNEL_TARGET_AVX2  // for intrinsics: GCC does not set __AVX2__ in C++
#endif
#define EMBER_KERNEL_ISA avx2
#include "ember/core/isa/kernel_instance.inc"

const ember::core::KernelTable& ember::core::avx2_kernel_table() { return avx2::table(); }
