// Which instruction set ember's kernels use, chosen once at start-up from the CPU's own feature
// bits (CPUID), so one build runs on any x86-64 machine and uses AVX-512 where the CPU has it:
//   avx512    AVX-512 F, DQ, BW and VL (with AVX2 and FMA): 16 floats per register
//   avx2      AVX2 and FMA: 8 floats per register
//   portable  what every x86-64 CPU has (SSE2), the compiler's baseline
// The environment variable EMBER_ISA (read by core/environment.h) lowers the level for tests and
// comparisons; a level the CPU lacks, or a name that is none of the three, is refused with an
// ember::Error at the first kernel call (docs/performance.md, "Instruction sets").
#pragma once

#include <string_view>

namespace ember::core {

enum class Isa { portable, avx2, avx512 };  // ordered: each level includes the one before

// The highest level this CPU supports.
Isa cpu_isa();

// The level in use: cpu_isa(), or EMBER_ISA when set. Decided on the first call; throws
// ember::Error naming the variable when EMBER_ISA is unknown or above cpu_isa().
Isa active_isa();

std::string_view isa_name(Isa isa);  // "avx512", "avx2", "portable"

// Whether the CPU has AVX512_BF16 (vdpbf16ps: bf16 dot products accumulated in float32), which
// the avx512 level does not imply (Skylake-X and Ice Lake lack it); core/precision.h needs it.
bool cpu_has_avx512_bf16();

}  // namespace ember::core
