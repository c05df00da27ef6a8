// bf16 products (core/gemm_bf16.h, core/precision.h): the rounding, the AVX512_BF16 kernel
// against the plain loop on rounded inputs, the precision setting through core::gemm and the
// thread pool, a short training, and the refusal where the CPU or EMBER_ISA lacks the kernel
// (this file also runs under each EMBER_ISA level: tests/CMakeLists.txt). A gradient check means
// nothing in bf16 (a finite difference of 1e-3 is below bf16's resolution of 2^-8): the training
// test checks the gradients' use instead.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include "ember/core/bf16.h"
#include "ember/core/blas.h"
#include "ember/core/elementwise.h"
#include "ember/core/gemm_bf16.h"
#include "ember/core/precision.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"
#include "ember/ember.h"
#include "support/products.h"

using namespace ember;
using namespace ember::core;

namespace {

bool bf16_here() { return bf16_unsupported_reason().empty(); }

// One product through `run` against gemm_bf16_naive, the plain loop on rounded inputs
// (support/products.h).
template <class Run>
void check_against_naive(int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha, float beta,
                         Run&& run) {
  ember::testing::check_product(run, gemm_bf16_naive, m, n, k, ta, tb, alpha, beta);
}

}  // namespace

TEST_CASE("to_bf16 rounds to nearest with ties to even, keeps infinities and quiets NaN") {
  CHECK(to_bf16(1.0f) == 0x3f80);
  CHECK(to_bf16(-2.0f) == 0xc000);
  CHECK(to_bf16(0.0f) == 0x0000);
  CHECK(to_bf16(-0.0f) == 0x8000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: the tie goes to the even mantissa, 1.
  CHECK(to_bf16(1.0f + 0x1p-8f) == 0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6: up, to the even one.
  CHECK(to_bf16(1.0f + 3 * 0x1p-8f) == 0x3f82);
  CHECK(to_bf16(1.0f + 0x1p-8f + 0x1p-20f) == 0x3f81);  // above the halfway point: up
  CHECK(to_bf16(std::numeric_limits<float>::infinity()) == 0x7f80);
  CHECK(to_bf16(-std::numeric_limits<float>::infinity()) == 0xff80);
  CHECK(to_bf16(std::numeric_limits<float>::max()) == 0x7f80);  // rounds past the largest bf16
  CHECK(to_bf16(std::numeric_limits<float>::quiet_NaN()) == 0x7fc0);
  CHECK(std::isnan(from_bf16(to_bf16(-std::numeric_limits<float>::quiet_NaN()))));
  CHECK(round_to_bf16(3.14159265f) == 3.140625f);
  CHECK(from_bf16(0x4049) == 3.140625f);
}

TEST_CASE("the bf16 kernel agrees with the plain loop on rounded inputs") {
  if (!bf16_here()) {
    MESSAGE("no bf16 kernel here: " << bf16_unsupported_reason());
    CHECK_THROWS_WITH_AS(
        gemm_bf16(false, false, 2, 2, 2, 1.0f, nullptr, 2, nullptr, 2, 0.0f, nullptr, 2),
        doctest::Contains("[gemm_bf16]"), Error);
    return;
  }
  for (const int64_t m : {1, 7, 17, 100})
    for (const int64_t n : {1, 33, 257})
      for (const int64_t k : {0, 1, 7, 257, 600})  // 600: three slices of the inner dimension
        for (bool ta : {false, true})
          for (bool tb : {false, true})
            check_against_naive(m, n, k, ta, tb, 0.5f, m % 2 ? 0.0f : 2.0f, gemm_bf16);
}

TEST_CASE("bf16 products differ from float32 by bf16's rounding, no more") {
  if (!bf16_here()) return;
  Generator gen(3);
  const int64_t m = 40, n = 50, k = 300;
  const NDArray a = gen.normal({m, k}), b = gen.normal({k, n});
  const NDArray c16 = NDArray::zeros({m, n}), c32 = NDArray::zeros({m, n});
  gemm_bf16(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c16.data(), n);
  gemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c32.data(), n);
  // Each input is off by at most 2^-9 relative, so each product by 2^-8: the error of a sum of
  // k products is at most 2^-8 sum |a b|, and for random signs about sqrt(k) |a b| 2^-8 / sqrt(3).
  double worst = 0.0, differ = 0.0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double d = std::abs(c16.at({i, j}) - c32.at({i, j}));
      worst = std::max(worst, d / std::sqrt(static_cast<double>(k)));
      differ += d > 0.0;
    }
  CHECK(worst < 6.0 * 0x1p-8);  // six of bf16's standard deviations
  CHECK(differ > m * n / 2);    // and it is bf16: most entries differ from float32
}

TEST_CASE("under MatmulPrecision::bf16, core::gemm runs the bf16 kernel, also over the pool") {
  if (!bf16_here()) {
    CHECK_THROWS_WITH_AS(set_matmul_precision(MatmulPrecision::bf16),
                         doctest::Contains("[matmul_precision] bf16: "), Error);
    CHECK(matmul_precision() == MatmulPrecision::fp32);
    return;
  }
  const int previous = num_threads();
  set_num_threads(2);
  {
    const MatmulPrecisionGuard bf16(MatmulPrecision::bf16);
    // Split by slices of k (bf16 only, k >= 1.5 max(m, n)), by columns and by rows over the two
    // threads (at least kParallelMacs multiply-adds); beta = 0 with a C of NaN, too.
    for (const auto& [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{90, 101, 301},
                                  {300, 320, 60}, {320, 300, 60}})
      for (bool ta : {false, true})
        for (float beta : {1.0f, 0.0f}) check_against_naive(m, n, k, ta, !ta, 1.0f, beta, gemm);
    // Products started by the pool's workers (one per attention head) run in bf16 too.
    std::vector<int> in_bf16(64, 0);
    parallel_for(64, true,
                 [&](int64_t i) { in_bf16[i] = matmul_precision() == MatmulPrecision::bf16; });
    CHECK(std::count(in_bf16.begin(), in_bf16.end(), 1) == 64);
  }
  CHECK(matmul_precision() == MatmulPrecision::fp32);  // the guard restored it
  set_num_threads(previous);
}

// A small regression network trained by Adam from the same start, in float32 and under bf16:
// the losses stay close (bf16 moves each product by ~2^-8 relative), but not equal.
TEST_CASE("a short training under bf16 reaches the float32 loss within 5%") {
  if (!bf16_here()) return;
  const auto train = [](MatmulPrecision precision) {
    Generator gen(5);
    const Tensor x(gen.normal({256, 16}));
    const Tensor target(gen.normal({256, 4}));
    Tensor w1(mul_scalar(gen.normal({64, 16}), 0.25f), true), b1 = Tensor::zeros({64}, true);
    Tensor w2(mul_scalar(gen.normal({4, 64}), 0.125f), true), b2 = Tensor::zeros({4}, true);
    optim::Adam adam({w1, b1, w2, b2}, optim::AdamOptions{.lr = 1e-2f});
    const MatmulPrecisionGuard scope(precision);
    std::vector<float> losses;
    for (int step = 0; step < 150; ++step) {
      const Tensor loss = mean(pow(linear(tanh(linear(x, w1, b1)), w2, b2) - target, 2.0f));
      adam.zero_grad();
      loss.backward();
      adam.step();
      losses.push_back(loss.item());
    }
    return losses;
  };
  const std::vector<float> fp32 = train(MatmulPrecision::fp32), bf16 = train(MatmulPrecision::bf16);
  CHECK(fp32.back() < 0.8f * fp32.front());  // it learns
  CHECK(bf16.back() != fp32.back());         // in another precision
  // Within 5% while the loss is large; near the end (the net nearly fits its 256 targets, the
  // loss falls below 1% of its start) bf16's rounding of every product leaves a floor of about
  // 2^-8 of the starting loss, which the relative bound alone would not allow.
  const float floor = 0x1.0p-8f * fp32.front();
  for (size_t s = 0; s < fp32.size(); ++s) {
    CAPTURE(s);
    CHECK(std::abs(bf16[s] - fp32[s]) <= 0.05f * fp32[s] + floor);
  }
}

// The packing rounds each input as to_bf16 does, ties included, whichever side and layout it
// comes from: multiplying by an identity matrix returns the rounded values exactly (each sum has
// one product by 1 and the rest by 0). Not subnormals: vdpbf16ps itself treats them as zero.
TEST_CASE("the bf16 kernel's packing rounds every input as to_bf16, on both sides and layouts") {
  if (!bf16_here()) return;
  const int64_t m = 19, k = 37;  // odd: the last pair and the last row block are partial
  std::vector<float> values(static_cast<size_t>(m * k));
  Generator gen(5);
  const std::vector<float> noise = gen.normal({m * k}).to_vector();
  for (size_t i = 0; i < values.size(); ++i) {
    const float special[] = {0x1.0p-120f,                        // small, exact in bf16
                             -0x1.fffffep-100f,                  // rounds up into the exponent
                             std::bit_cast<float>(0x3f808000u),  // tie, kept half even: down
                             std::bit_cast<float>(0x3f818000u),  // tie, kept half odd: up
                             3.0e38f};                           // near bf16's largest finite
    values[i] = i % 3 == 0 ? special[i / 3 % 5] : noise[i];
  }
  std::vector<float> identity(static_cast<size_t>(k * k), 0.0f);
  for (int64_t p = 0; p < k; ++p) identity[static_cast<size_t>(p * k + p)] = 1.0f;
  for (bool transposed : {false, true}) {
    CAPTURE(transposed);
    // values as op(A) (m x k), stored as is or transposed
    std::vector<float> a(values.size());
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p)
        a[static_cast<size_t>(transposed ? p * m + i : i * k + p)] =
            values[static_cast<size_t>(i * k + p)];
    std::vector<float> c(static_cast<size_t>(m * k), -1.0f), ct(static_cast<size_t>(k * m), -1.0f);
    gemm_bf16(transposed, false, m, k, k, 1.0f, a.data(), transposed ? m : k, identity.data(), k,
              0.0f, c.data(), k);
    // the same values as op(B) (k x m): C^T = I op(B)
    gemm_bf16(false, !transposed, k, m, k, 1.0f, identity.data(), k, a.data(), transposed ? m : k,
              0.0f, ct.data(), m);
    int64_t wrong = 0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p) {
        const float want = round_to_bf16(values[static_cast<size_t>(i * k + p)]);
        wrong += std::bit_cast<uint32_t>(c[static_cast<size_t>(i * k + p)]) !=
                 std::bit_cast<uint32_t>(want);
        wrong += std::bit_cast<uint32_t>(ct[static_cast<size_t>(p * m + i)]) !=
                 std::bit_cast<uint32_t>(want);
      }
    CHECK(wrong == 0);
  }
}
