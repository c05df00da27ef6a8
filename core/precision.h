// The precision of matrix products, per thread, as PyTorch's CPU autocast: under bf16 every GEMM
// product (core::gemm, hence core::matmul and every linear, attention, convolution, recurrent and
// loss-projection product of the forward and backward passes) rounds its inputs to bf16 and
// accumulates in float32 (core/gemm_bf16.h); its output, and everything else — softmax, layer
// norm, losses, the optimizer, the weights themselves (the fp32 "master" copy) — stays float32.
// Products with one row (GEMV: a decoder step) or one inner dimension (GER) are bound by memory,
// not arithmetic, and stay float32.
//
//   {
//     core::MatmulPrecisionGuard bf16(core::MatmulPrecision::bf16);  // throws where unsupported
//     Tensor loss = model.loss(batch);
//     loss.backward();
//   }
//
// bf16 needs the AVX512_BF16 instructions at the avx512 level (core/cpu_isa.h): asking for it on
// a CPU without them, or with EMBER_ISA set below avx512, throws an ember::Error naming what is
// missing (no silent fallback: a run would otherwise not be what its config says). ember's
// thread pool runs each job at the precision of the thread that started it (core/threads.cpp).
#pragma once

#include <string>
#include <string_view>

namespace ember::core {

enum class MatmulPrecision { fp32, bf16 };

// This thread's setting (fp32 unless set).
MatmulPrecision matmul_precision();

// Throws ember::Error "[matmul_precision] bf16: <reason>" when bf16_unsupported_reason() is set.
void set_matmul_precision(MatmulPrecision precision);

// Why bf16 products cannot run here ("this CPU lacks AVX512_BF16", "EMBER_ISA=avx2 is below
// avx512"), or empty when they can.
std::string bf16_unsupported_reason();

std::string_view precision_name(MatmulPrecision precision);  // "fp32", "bf16"

// Sets this thread's precision for a scope and restores the previous one after.
class MatmulPrecisionGuard {
 public:
  explicit MatmulPrecisionGuard(MatmulPrecision precision);
  ~MatmulPrecisionGuard();
  MatmulPrecisionGuard(const MatmulPrecisionGuard&) = delete;
  MatmulPrecisionGuard& operator=(const MatmulPrecisionGuard&) = delete;

 private:
  MatmulPrecision previous_;
};

}  // namespace ember::core
