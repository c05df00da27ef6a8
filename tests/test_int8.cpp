// int8 dynamic quantization (core/int8_gemm.h): the integer GEMM against its plain loop, exactly,
// on whatever path the level in use runs (CTest runs this file again under each EMBER_ISA); the
// quantizers' edge cases; int8_linear against fp32 within the rounding bound of the scheme.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/int8_gemm.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"

using namespace ember::core;

namespace {

// Uniform integers in [lo, hi] drawn from the seeded generator.
template <class T>
std::vector<T> random_ints(Generator& gen, int64_t count, int lo, int hi) {
  const std::vector<float> u = gen.uniform({count}, 0.0f, 1.0f).to_vector();
  std::vector<T> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const int v = lo + static_cast<int>(u[i] * static_cast<float>(hi - lo + 1));
    out[i] = static_cast<T>(std::min(hi, v));
  }
  return out;
}

// gemm_u8s8 and the reference on the same operands (leading dimensions padded by 3).
void check_exact(int64_t m, int64_t n, int64_t k, const std::vector<uint8_t>& a,
                 const std::vector<int8_t>& b) {
  const int64_t lda = k + 3, ldb = k + 3, ldc = n + 3;
  std::vector<int32_t> c1(static_cast<size_t>(m * ldc), -7), c2 = c1;
  gemm_u8s8(m, n, k, a.data(), lda, b.data(), ldb, c1.data(), ldc);
  gemm_u8s8_reference(m, n, k, a.data(), lda, b.data(), ldb, c2.data(), ldc);
  CHECK(c1 == c2);
}

Int8Rows quantized(const std::vector<float>& x, int64_t rows, int64_t cols, int qmax) {
  Int8Rows q;
  quantize_activations(x.data(), rows, cols, cols, qmax, "test", q);
  return q;
}

}  // namespace

TEST_CASE("gemm_u8s8 equals the integer reference exactly at odd sizes") {
  Generator gen(17);
  const int qmax = int8_activation_max();
  CAPTURE(int8_backend());
  for (const auto& [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 257, 33},
                                {7, 17, 100}, {17, 7, 257}, {33, 100, 7}, {100, 33, 17},
                                {257, 1, 100}, {5, 257, 257}}) {
    CAPTURE(m);
    CAPTURE(n);
    CAPTURE(k);
    const auto a = random_ints<uint8_t>(gen, m * (k + 3), 0, qmax);
    const auto b = random_ints<int8_t>(gen, n * (k + 3), -127, 127);
    check_exact(m, n, k, a, b);
  }
}

TEST_CASE("gemm_u8s8 does not saturate at the extremes of its operands") {
  // Every pair of products at the largest magnitudes: qmax * 127 * 2 must fit the kernels'
  // intermediates (int8_gemm.h, "Saturation"), and the sums stay exact.
  const int qmax = int8_activation_max();
  for (const int64_t k : {1, 17, 257}) {
    CAPTURE(k);
    const int64_t m = 3, n = 5;
    const std::vector<uint8_t> a(static_cast<size_t>(m * (k + 3)), static_cast<uint8_t>(qmax));
    for (const int8_t w : {int8_t{127}, int8_t{-127}}) {
      const std::vector<int8_t> b(static_cast<size_t>(n * (k + 3)), w);
      check_exact(m, n, k, a, b);
    }
  }
}

TEST_CASE("quantize_activations: zero point, all-equal, zero and extreme rows") {
  const int qmax = 255;
  SUBCASE("a row's range holds zero, and zero is exact") {
    const std::vector<float> x{-1.0f, 0.0f, 3.0f, 1.5f};
    const Int8Rows q = quantized(x, 1, 4, qmax);
    CHECK(q.scales[0] == doctest::Approx(4.0 / 255));
    CHECK(q.zeros[0] == 64);  // round(1 / (4 / 255)) = round(63.75)
    CHECK(q.values[1] == 64);
    CHECK(q.values[0] == 0);
    CHECK(q.values[2] == 255);
  }
  SUBCASE("all-equal rows (positive, negative) and a zero row") {
    const std::vector<float> x{2.5f, 2.5f, 2.5f, -4.0f, -4.0f, -4.0f, 0.0f, 0.0f, 0.0f};
    const Int8Rows q = quantized(x, 3, 3, qmax);
    for (int k = 0; k < 3; ++k) {  // each dequantizes to its value exactly
      CHECK(q.scales[0] * static_cast<float>(q.values[k] - q.zeros[0]) ==
            doctest::Approx(2.5f));
      CHECK(q.scales[1] * static_cast<float>(q.values[3 + k] - q.zeros[1]) ==
            doctest::Approx(-4.0f));
      CHECK(q.values[6 + k] == q.zeros[2]);
    }
    CHECK(q.scales[2] == 1.0f);
  }
  SUBCASE("huge and tiny magnitudes keep their relative error") {
    for (const float big : {3e38f, 1e-30f}) {
      const std::vector<float> x{-big, big, big / 2};
      const Int8Rows q = quantized(x, 1, 3, qmax);
      REQUIRE(std::isfinite(q.scales[0]));
      for (int k = 0; k < 3; ++k) {
        const double back = static_cast<double>(q.scales[0]) * (q.values[k] - q.zeros[0]);
        CHECK(std::fabs(back - x[k]) <= 0.5 * q.scales[0] * (1 + 1e-5));
      }
    }
  }
  SUBCASE("NaN and infinity are refused, naming the row") {
    for (const float bad : {std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity()}) {
      const std::vector<float> x{1.0f, 2.0f, 3.0f, bad};
      CHECK_THROWS_WITH_AS(quantized(x, 2, 2, qmax),
                           doctest::Contains("[test] row 1 of the input holds a NaN"),
                           ember::Error);
      CHECK_THROWS_WITH_AS(quantize_weights(x.data(), 2, 2, 2, "test"),
                           doctest::Contains("[test] row 1 of the weights holds a NaN"),
                           ember::Error);
    }
  }
}

TEST_CASE("quantize_weights: symmetric per row, sums kept, zero rows") {
  const std::vector<float> w{0.5f, -1.0f, 0.25f, 0.0f, 0.0f, 0.0f};
  const Int8Matrix q = quantize_weights(w.data(), 2, 3, 3, "test");
  CHECK(q.scales[0] == doctest::Approx(1.0 / 127));
  CHECK(q.values[1] == -127);
  CHECK(q.values[0] == 64);  // round(63.5) to even
  CHECK(q.sums[0] == q.values[0] + q.values[1] + q.values[2]);
  CHECK(q.scales[1] == 1.0f);
  CHECK(q.sums[1] == 0);
}

// Each rounding moves a value by at most half its step, so with x = sx (qx - zx) + ex and
// W = sw qw + ew, |y_int8 - y_fp32| <= sum_k (|ex_k| |W_nk| + |x_k| |ew_nk| + |ex_k| |ew_nk|)
// <= sum_k (sx/2 |W_nk| + sw/2 |x_k| + sx sw / 4); the test allows 1% on top for float sums.
TEST_CASE("int8_linear agrees with fp32 within the rounding bound, split or not") {
  Generator gen(5);
  const int previous = num_threads();
  for (const int threads : {1, 2}) {
    set_num_threads(threads);
    for (const auto& [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1, 7, 33},
                                  {17, 100, 257}, {1, 9000, 257}, {33, 1, 1}}) {
      CAPTURE(threads);
      CAPTURE(m);
      CAPTURE(n);
      const std::vector<float> x = gen.normal({m, k}, 0.0f, 3.0f).to_vector();
      const std::vector<float> w = gen.normal({n + 2, k}).to_vector();
      const std::vector<float> bias = gen.normal({n}).to_vector();
      const Int8Matrix qw = quantize_weights(w.data(), n + 2, k, k, "test");
      std::vector<float> y(static_cast<size_t>(m * n));
      int8_linear(x.data(), m, k, qw, 1, n, bias.data(), y.data(), n, "test");  // rows [1, n + 1)
      const Int8Rows qx = quantized(x, m, k, int8_activation_max());
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double exact = bias[j], bound = 0.0;
          const double sx = qx.scales[i], sw = qw.scales[j + 1];
          for (int64_t p = 0; p < k; ++p) {
            const double wv = w[(j + 1) * k + p], xv = x[i * k + p];
            exact += xv * wv;
            bound += sx / 2 * std::fabs(wv) + sw / 2 * std::fabs(xv) + sx * sw / 4;
          }
          REQUIRE(std::fabs(y[i * n + j] - exact) <= 1.01 * bound + 1e-5);
        }
    }
  }
  set_num_threads(previous);
}
