#include "ember/core/precision.h"

#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"

namespace ember::core {
namespace {
thread_local MatmulPrecision current = MatmulPrecision::fp32;
}

MatmulPrecision matmul_precision() { return current; }

std::string bf16_unsupported_reason() {
  static const std::string reason = []() -> std::string {  // CPUID and EMBER_ISA never change
    if (!cpu_has_avx512_bf16())
      return "this CPU lacks AVX512_BF16 (bf16 products need it; use fp32)";
    if (active_isa() != Isa::avx512)
      return fmt::format("EMBER_ISA={} is below avx512, the level of the bf16 kernel",
                         isa_name(active_isa()));
    return {};
  }();
  return reason;
}

void set_matmul_precision(MatmulPrecision precision) {
  if (precision == MatmulPrecision::bf16) {
    const std::string reason = bf16_unsupported_reason();
    EMBER_CHECK(reason.empty(), "[matmul_precision] bf16: {}", reason);
  }
  current = precision;
}

std::string_view precision_name(MatmulPrecision precision) {
  return precision == MatmulPrecision::bf16 ? "bf16" : "fp32";
}

MatmulPrecisionGuard::MatmulPrecisionGuard(MatmulPrecision precision) : previous_(current) {
  set_matmul_precision(precision);
}

MatmulPrecisionGuard::~MatmulPrecisionGuard() { current = previous_; }

}  // namespace ember::core
