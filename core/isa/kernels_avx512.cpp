// ember's elementwise kernels compiled for AVX-512 F/DQ/BW/VL (16 floats per register; GCC's
// default tuning would keep them at 256-bit vectors, hence prefer-vector-width=512).
// core/isa/kernel_instance.inc explains the scheme.
#include "ember/core/isa/kernel_prelude.h"

#if defined(__GNUC__) && !defined(__clang__)  // clang builds (the fuzzers) keep the baseline
#pragma GCC target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl,prefer-vector-width=512")
#define EMBER_KERNEL_TARGET_AVX512  // for intrinsics: GCC does not set __AVX512F__ in C++
#endif
#define EMBER_KERNEL_ISA avx512
#include "ember/core/isa/kernel_instance.inc"

const ember::core::KernelTable& ember::core::avx512_kernel_table() { return avx512::table(); }
