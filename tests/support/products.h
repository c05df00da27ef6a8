// Shared by the tests of ember's matrix-product kernels (test_bf16_gemm, test_gemm_packed) and
// of its per-ISA tables (test_kernel_table): the instruction sets to test here, and one product
// checked against its plain reference loop.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ember/core/blas.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/ndarray.h"
#include "ember/core/random.h"

namespace ember::testing {

// Every instruction set this CPU supports, lowest first (whatever EMBER_ISA says).
inline std::vector<core::Isa> supported_isa_levels() {
  std::vector<core::Isa> levels;
  for (core::Isa isa : {core::Isa::portable, core::Isa::avx2, core::Isa::avx512})
    if (isa <= core::cpu_isa()) levels.push_back(isa);
  return levels;
}

// C = alpha op(A) op(B) + beta C by `run` against `reference` (both with core::gemm's
// signature) on the same random inputs, with leading dimensions padded by 3 and C prefilled (NaN
// when beta = 0, which must not leak). The tolerance is float32's summation bound for two sums of
// the same products in another order (Higham's gamma_k, with room): 2 k 2^-24 sum_p |a_ip b_pj|.
// The padding of C must stay untouched.
template <class Run, class Reference>
void check_product(Run&& run, Reference&& reference, int64_t m, int64_t n, int64_t k, bool ta,
                   bool tb, float alpha, float beta) {
  CAPTURE(m);
  CAPTURE(n);
  CAPTURE(k);
  CAPTURE(ta);
  CAPTURE(tb);
  CAPTURE(beta);
  core::Generator gen(static_cast<uint64_t>(m * 7919 + n * 131 + k));
  const int64_t pad = 3;
  const core::NDArray a = gen.normal(ta ? core::Shape{k, m + pad} : core::Shape{m, k + pad});
  const core::NDArray b = gen.normal(tb ? core::Shape{n, k + pad} : core::Shape{k, n + pad});
  const core::NDArray c0 =
      beta == 0.0f ? core::NDArray::full({m, n + pad}, std::numeric_limits<float>::quiet_NaN())
                   : gen.normal({m, n + pad});
  const core::NDArray got = c0.clone(), want = c0.clone();
  const core::NDArray abs_sum = core::NDArray::zeros({m, n + pad});
  run(ta, tb, m, n, k, alpha, a.data(), a.size(1), b.data(), b.size(1), beta, got.data(), n + pad);
  reference(ta, tb, m, n, k, alpha, a.data(), a.size(1), b.data(), b.size(1), beta, want.data(),
            n + pad);
  const core::NDArray abs_a = a.clone(), abs_b = b.clone();
  for (const core::NDArray* x : {&abs_a, &abs_b})
    for (int64_t i = 0; i < x->numel(); ++i) x->data()[i] = std::abs(x->data()[i]);
  core::gemm_naive(ta, tb, m, n, k, 1.0f, abs_a.data(), a.size(1), abs_b.data(), b.size(1), 0.0f,
                   abs_sum.data(), n + pad);
  int64_t wrong = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float g = got.at({i, j}), w = want.at({i, j});
      const float bound = 2.0f * static_cast<float>(k) * 6e-8f * abs_sum.at({i, j});
      wrong += !(std::abs(g - w) <= std::abs(alpha) * bound + 1e-6f * std::abs(w));
    }
  CHECK(wrong == 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = n; j < n + pad; ++j) {
      const float before = c0.at({i, j}), after = got.at({i, j});
      CHECK((std::isnan(before) ? std::isnan(after) : before == after));
    }
}

}  // namespace ember::testing
