#include "ember/core/cpu_isa.h"

#include "ember/core/environment.h"
#include "ember/core/error.h"

namespace ember::core {
namespace {

// The level EMBER_ISA names, checked against what the CPU has.
Isa requested_isa(const std::string& name, Isa best) {
  Isa isa = Isa::portable;
  if (name == "avx512")
    isa = Isa::avx512;
  else if (name == "avx2")
    isa = Isa::avx2;
  else
    EMBER_CHECK(name == "portable",
                "EMBER_ISA={}: unknown instruction set; use avx512, avx2 or portable", name);
  EMBER_CHECK(isa <= best, "EMBER_ISA={}: this CPU lacks it (its best level is {})", name,
              isa_name(best));
  return isa;
}

}  // namespace

Isa cpu_isa() {
  __builtin_cpu_init();  // may run before the constructors that set up the CPU model data
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
  return Isa::portable;
}

Isa active_isa() {
  static const Isa isa = [] {
    const std::string& name = environment().isa;
    return name.empty() ? cpu_isa() : requested_isa(name, cpu_isa());
  }();
  return isa;
}

bool cpu_has_avx512_bf16() {
  __builtin_cpu_init();
  return cpu_isa() == Isa::avx512 && __builtin_cpu_supports("avx512bf16");
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512:
      return "avx512";
    case Isa::avx2:
      return "avx2";
    case Isa::portable:
      return "portable";
  }
  return "portable";
}

}  // namespace ember::core
