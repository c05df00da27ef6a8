// Products with a packed operand (core/gemm_packed.h): gemm_packed against the plain loop
// gemm_naive at every instruction set this CPU supports (the matrix packed for each level, whatever
// EMBER_ISA says), odd sizes, both transposes, padded leading dimensions, alpha and beta, NaN in C
// under beta = 0, and the split over the thread pool.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ember/core/blas.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"
#include "ember/core/gemm_packed.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"

using namespace ember;
using namespace ember::core;

namespace {

std::vector<Isa> supported_levels() {
  std::vector<Isa> levels;
  for (Isa isa : {Isa::portable, Isa::avx2, Isa::avx512})
    if (isa <= cpu_isa()) levels.push_back(isa);
  return levels;
}

// One product of gemm_packed (B packed at `isa`) against gemm_naive on the same inputs, with
// leading dimensions padded by 3 and C prefilled (NaN when beta = 0, which must not leak). The
// tolerance is float32's summation bound, 2 k 2^-24 sum_p |a_ip b_pj|, with room.
void check_against_naive(Isa isa, int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha,
                         float beta) {
  CAPTURE(isa_name(isa));
  CAPTURE(m);
  CAPTURE(n);
  CAPTURE(k);
  CAPTURE(ta);
  CAPTURE(tb);
  CAPTURE(beta);
  Generator gen(static_cast<uint64_t>(m * 7919 + n * 131 + k));
  const int64_t pad = 3;
  const NDArray a = gen.normal(ta ? Shape{k, m + pad} : Shape{m, k + pad});
  const NDArray b = gen.normal(tb ? Shape{n, k + pad} : Shape{k, n + pad});
  const NDArray c0 = beta == 0.0f
                         ? NDArray::full({m, n + pad}, std::numeric_limits<float>::quiet_NaN())
                         : gen.normal({m, n + pad});
  const NDArray got = c0.clone(), want = c0.clone(), abs_sum = NDArray::zeros({m, n + pad});
  const PackedMatrix packed(tb, k, n, b.data(), b.size(1), isa);
  CHECK(packed.isa() == isa);
  gemm_packed(ta, m, alpha, a.data(), a.size(1), packed, beta, got.data(), n + pad);
  gemm_naive(ta, tb, m, n, k, alpha, a.data(), a.size(1), b.data(), b.size(1), beta, want.data(),
             n + pad);
  const NDArray abs_a = a.clone(), abs_b = b.clone();
  for (const NDArray* x : {&abs_a, &abs_b})
    for (int64_t i = 0; i < x->numel(); ++i) x->data()[i] = std::abs(x->data()[i]);
  gemm_naive(ta, tb, m, n, k, 1.0f, abs_a.data(), a.size(1), abs_b.data(), b.size(1), 0.0f,
             abs_sum.data(), n + pad);
  int64_t wrong = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float g = got.at({i, j}), w = want.at({i, j});
      const float tol =
          2.0f * static_cast<float>(k) * 6e-8f * std::abs(alpha) * abs_sum.at({i, j}) +
          1e-6f * std::abs(w);
      wrong += !(std::abs(g - w) <= tol);
    }
  CHECK(wrong == 0);
  for (int64_t i = 0; i < m; ++i)  // the padding of C is never written
    for (int64_t j = n; j < n + pad; ++j) {
      const float before = c0.at({i, j}), after = got.at({i, j});
      CHECK((std::isnan(before) ? std::isnan(after) : before == after));
    }
}

}  // namespace

TEST_CASE("gemm_packed agrees with the plain loop at every level, odd sizes and transposes") {
  for (Isa isa : supported_levels())
    for (const int64_t m : {1, 7, 17, 33})
      for (const int64_t n : {1, 7, 33, 100})
        for (const int64_t k : {1, 17, 257})
          for (bool ta : {false, true})
            for (bool tb : {false, true})
              for (float beta : {0.0f, 1.0f, -0.5f})
                check_against_naive(isa, m, n, k, ta, tb, 0.75f, beta);
}

TEST_CASE("gemm_packed: large sizes, several slices of the inner dimension and row blocks") {
  for (Isa isa : supported_levels()) {
    check_against_naive(isa, 100, 257, 600, false, true, 1.0f, 0.0f);
    check_against_naive(isa, 257, 100, 33, true, false, -2.0f, 1.0f);
    check_against_naive(isa, 64, 2048, 64, false, true, 1.0f, 1.0f);  // a recurrent step's shape
  }
}

TEST_CASE("gemm_packed splits large products over the threads, by columns or by rows") {
  const int previous = num_threads();
  set_num_threads(2);
  for (Isa isa : supported_levels()) {
    check_against_naive(isa, 64, 1030, 257, false, true, 1.0f, 0.0f);  // more columns than rows
    check_against_naive(isa, 1030, 64, 257, true, false, 0.5f, 2.0f);  // more rows than columns
  }
  set_num_threads(previous);
}

TEST_CASE("gemm_packed with an empty inner dimension scales C by beta; empty packs are refused") {
  for (Isa isa : supported_levels()) {
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

TEST_CASE("a level above this CPU's cannot be packed for") {
  if (cpu_isa() == Isa::avx512) return;
  CHECK_THROWS_AS(PackedMatrix(false, 2, 2, nullptr, 2, Isa::avx512), Error);
}
