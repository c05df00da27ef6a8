// core::gemm_bf16: the check, compiled for the baseline, before the AVX512_BF16 code runs.
#include "ember/core/gemm_bf16.h"

#include "ember/core/blas.h"
#include "ember/core/error.h"
#include "ember/core/isa/gemm_bf16_kernel.h"
#include "ember/core/precision.h"

namespace ember::core {

void gemm_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
               int64_t ldc) {
  const std::string unsupported = bf16_unsupported_reason();
  EMBER_CHECK(unsupported.empty(), "[gemm_bf16] {}", unsupported);
  if (m == 0 || n == 0 || k == 0) {  // no products: C = beta * C, as core::gemm makes it
    gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  gemm_bf16_avx512(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int64_t bf16_tile_rows() { return kBf16TileRows; }
int64_t bf16_panel_width() { return kBf16PanelWidth; }

int64_t bf16_packed_size(int64_t k, int64_t n) {
  const int64_t width = bf16_panel_width();
  return (n + width - 1) / width * width * ((k + 1) / 2) * 2;
}

void pack_bf16(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb, uint16_t* out) {
  const std::string unsupported = bf16_unsupported_reason();
  EMBER_CHECK(unsupported.empty(), "[gemm_bf16] {}", unsupported);
  if (k > 0 && n > 0) pack_bf16_panels(trans_b, k, n, b, ldb, out);
}

void gemm_bf16_packed(bool trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                      int64_t lda, const uint16_t* panels, float beta, float* c, int64_t ldc) {
  const std::string unsupported = bf16_unsupported_reason();
  EMBER_CHECK(unsupported.empty(), "[gemm_bf16] {}", unsupported);
  if (m == 0 || n == 0 || k == 0) {  // no products: C = beta * C, as core::gemm makes it
    gemm(trans_a, false, m, n, k, alpha, a, lda, nullptr, n, beta, c, ldc);
    return;
  }
  gemm_bf16_avx512_packed(trans_a, m, n, k, alpha, a, lda, panels, beta, c, ldc);
}

}  // namespace ember::core
