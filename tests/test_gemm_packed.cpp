// Products with a packed operand (core/gemm_packed.h): gemm_packed against the plain loop
// gemm_naive at every instruction set this CPU supports (the matrix packed for each level, whatever
// EMBER_ISA says), odd sizes, both transposes, padded leading dimensions, alpha and beta, NaN in C
// under beta = 0, and the split over the thread pool; and a matrix packed under bf16 products
// against the plain loop on rounded inputs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ember/core/blas.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"
#include "ember/core/gemm_bf16.h"
#include "ember/core/gemm_packed.h"
#include "ember/core/precision.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"
#include "support/products.h"

using namespace ember;
using namespace ember::core;

namespace {

// gemm_packed with B packed at `isa`, in core::gemm's signature (check_product).
void check_against_naive(Isa isa, int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha,
                         float beta) {
  CAPTURE(isa_name(isa));
  const auto packed_product = [isa](bool ta_, bool tb_, int64_t m_, int64_t n_, int64_t k_,
                                    float alpha_, const float* a, int64_t lda, const float* b,
                                    int64_t ldb, float beta_, float* c, int64_t ldc) {
    const PackedMatrix packed(tb_, k_, n_, b, ldb, isa);
    CHECK(packed.isa() == isa);
    gemm_packed(ta_, m_, alpha_, a, lda, packed, beta_, c, ldc);
  };
  ember::testing::check_product(packed_product, gemm_naive, m, n, k, ta, tb, alpha, beta);
}

}  // namespace

TEST_CASE("gemm_packed agrees with the plain loop at every level, odd sizes and transposes") {
  for (Isa isa : ember::testing::supported_isa_levels())
    for (const int64_t m : {1, 7, 17, 33})
      for (const int64_t n : {1, 7, 33, 100})
        for (const int64_t k : {1, 17, 257})
          for (bool ta : {false, true})
            for (bool tb : {false, true})
              for (float beta : {0.0f, 1.0f, -0.5f})
                check_against_naive(isa, m, n, k, ta, tb, 0.75f, beta);
}

TEST_CASE("gemm_packed: large sizes, several slices of the inner dimension and row blocks") {
  for (Isa isa : ember::testing::supported_isa_levels()) {
    check_against_naive(isa, 100, 257, 600, false, true, 1.0f, 0.0f);
    check_against_naive(isa, 257, 100, 33, true, false, -2.0f, 1.0f);
    check_against_naive(isa, 64, 2048, 64, false, true, 1.0f, 1.0f);  // a recurrent step's shape
  }
}

TEST_CASE("gemm_packed splits large products over the threads, by columns or by rows") {
  const int previous = num_threads();
  set_num_threads(2);
  for (Isa isa : ember::testing::supported_isa_levels()) {
    check_against_naive(isa, 64, 1030, 257, false, true, 1.0f, 0.0f);  // more columns than rows
    check_against_naive(isa, 1030, 64, 257, true, false, 0.5f, 2.0f);  // more rows than columns
  }
  set_num_threads(previous);
}

TEST_CASE("gemm_packed with an empty inner dimension scales C by beta; empty packs are refused") {
  for (Isa isa : ember::testing::supported_isa_levels()) {
    const PackedMatrix packed(false, 0, 3, nullptr, 3, isa);
    std::vector<float> c = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
    gemm_packed(false, 2, 1.0f, nullptr, 0, packed, 2.0f, c.data(), 3);
    CHECK(c == std::vector<float>{2.0f, 4.0f, 6.0f, 8.0f, 10.0f, 12.0f});
    std::vector<float> nan(6, std::numeric_limits<float>::quiet_NaN());
    gemm_packed(false, 2, 1.0f, nullptr, 0, packed, 0.0f, nan.data(), 3);
    CHECK(nan == std::vector<float>(6, 0.0f));
  }
  CHECK_THROWS_WITH_AS(gemm_packed(false, 2, 1.0f, nullptr, 0, PackedMatrix(), 0.0f, nullptr, 3),
                       doctest::Contains("[gemm_packed]"), Error);
}

namespace {

// gemm_packed with B packed under bf16 products, against the plain loop on inputs rounded to bf16.
void check_bf16_against_naive(int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha,
                              float beta) {
  const auto packed_product = [](bool ta_, bool tb_, int64_t m_, int64_t n_, int64_t k_,
                                 float alpha_, const float* a, int64_t lda, const float* b,
                                 int64_t ldb, float beta_, float* c, int64_t ldc) {
    const PackedMatrix packed(tb_, k_, n_, b, ldb, active_isa(), MatmulPrecision::bf16);
    CHECK(packed.precision() == MatmulPrecision::bf16);
    gemm_packed(ta_, m_, alpha_, a, lda, packed, beta_, c, ldc);  // bf16, whatever the precision
  };
  ember::testing::check_product(packed_product, gemm_bf16_naive, m, n, k, ta, tb, alpha, beta);
}

}  // namespace

TEST_CASE("gemm_packed on a matrix packed in bf16 agrees with the plain loop on rounded inputs") {
  if (!bf16_unsupported_reason().empty()) {
    MESSAGE("no bf16 kernel here: " << bf16_unsupported_reason());
    CHECK_THROWS_WITH_AS(PackedMatrix(false, 2, 2, nullptr, 2, active_isa(), MatmulPrecision::bf16),
                         doctest::Contains("[gemm_bf16]"), Error);
    return;
  }
  for (const int64_t m : {1, 7, 17, 33})
    for (const int64_t n : {1, 7, 33, 100})
      for (const int64_t k : {1, 17, 257, 600})  // 600: three slices of the inner dimension
        for (bool ta : {false, true})
          for (bool tb : {false, true})
            for (float beta : {0.0f, 1.0f, -0.5f})
              check_bf16_against_naive(m, n, k, ta, tb, 0.75f, beta);
  const int previous = num_threads();
  set_num_threads(2);
  check_bf16_against_naive(64, 1030, 257, false, true, 1.0f, 0.0f);  // split by columns
  check_bf16_against_naive(1030, 64, 257, true, false, 0.5f, 2.0f);  // by rows
  set_num_threads(previous);
}

TEST_CASE("a level above this CPU's cannot be packed for") {
  if (cpu_isa() == Isa::avx512) return;
  CHECK_THROWS_AS(PackedMatrix(false, 2, 2, nullptr, 2, Isa::avx512), Error);
}
