#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string_view>
#include <tuple>
#include <utility>

#include "ember/core/blas.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"
#include "support/products.h"

using namespace ember::core;

TEST_CASE("gemm agrees with gemm_naive for every transpose combination, alpha and beta") {
  Generator gen(9);
  const int64_t n = 5;
  // m = 1 takes the GEMV path, k = 1 the outer product's (GER)
  for (const auto& [m, k] : {std::pair<int64_t, int64_t>{6, 7}, {1, 7}, {6, 1}})
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const NDArray a = gen.normal(ta ? Shape{k, m} : Shape{m, k});
      const NDArray b = gen.normal(tb ? Shape{n, k} : Shape{k, n});
      const NDArray c0 = gen.normal({m, n});
      const NDArray c1 = c0.clone(), c2 = c0.clone();
      gemm(ta, tb, m, n, k, 0.5f, a.data(), a.size(1), b.data(), b.size(1), 2.0f, c1.data(), n);
      gemm_naive(ta, tb, m, n, k, 0.5f, a.data(), a.size(1), b.data(), b.size(1), 2.0f, c2.data(), n);
      const std::vector<float> x = c1.to_vector(), y = c2.to_vector();
      for (size_t i = 0; i < x.size(); ++i) CHECK(x[i] == doctest::Approx(y[i]).epsilon(1e-4));
    }
  }
}

// Products of 2^21 multiply-adds and more (a row vector times a matrix: 2^19) are split over
// ember's threads by blocks of columns (n >= m) or rows (m > n), each block one single-threaded
// call on offset pointers (bf16 products with a long inner dimension are split by slices of it:
// test_bf16_gemm); the padded leading dimensions catch a block that reads or writes past its own
// columns, and a C of NaN with beta = 0 one that reads C.
TEST_CASE("a product split over threads agrees with gemm_naive, by columns and by rows") {
  const int previous = num_threads();
  set_num_threads(2);
  // m = 1 takes the GEMV path, split by output columns from n k = 2^19 on.
  for (const auto& [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{90, 101, 301},
                                {101, 90, 301}, {1, 7000, 300}})
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (float beta : {2.0f, 0.0f}) {
          REQUIRE(std::max(m, int64_t{1}) * n * k >= (int64_t{1} << 21));
          ember::testing::check_product(gemm, gemm_naive, m, n, k, ta, tb, 0.75f, beta);
        }
  set_num_threads(previous);
}

TEST_CASE("the GEMV and GER paths ignore garbage in C when beta is 0") {
  Generator gen(10);
  for (const auto& [m, k] : {std::pair<int64_t, int64_t>{1, 8}, {4, 1}}) {
    CAPTURE(m);
    const NDArray a = gen.normal({m, k}), b = gen.normal({k, 3});
    NDArray c = NDArray::full({m, 3}, std::numeric_limits<float>::quiet_NaN());
    NDArray ref = NDArray::zeros({m, 3});
    gemm(false, false, m, 3, k, 1.0f, a.data(), k, b.data(), 3, 0.0f, c.data(), 3);
    gemm_naive(false, false, m, 3, k, 1.0f, a.data(), k, b.data(), 3, 0.0f, ref.data(), 3);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < 3; ++j) CHECK(c.at({i, j}) == doctest::Approx(ref.at({i, j})));
  }
}

TEST_CASE("gemv") {
  const NDArray a = NDArray::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  const NDArray x = NDArray::from_vector({1, 1, 1}, {3});
  NDArray y = NDArray::zeros({2});
  gemv(false, 2, 3, 1.0f, a.data(), 3, x.data(), 1, 0.0f, y.data(), 1);
  CHECK(y.to_vector() == std::vector<float>{6, 15});
}

// The GEMM library of the instruction set in use (ctest runs this file under every EMBER_ISA the
// CPU supports: tests/CMakeLists.txt): odd sizes that leave partial register blocks in every
// dimension, padded leading dimensions (strided views), every transpose, and a NaN-filled C with
// beta = 0 (which must never leak through).
TEST_CASE("gemm at the instruction set in use agrees with gemm_naive on odd, strided shapes") {
  const std::string_view backend = gemm_backend();
  CAPTURE(backend);
  for (const auto& [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{2, 3, 2},
                                {17, 33, 9},
                                {47, 129, 65},
                                {64, 2048 + 13, 35},
                                {129, 31, 257}})
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (float beta : {0.0f, 1.5f})
          ember::testing::check_product(gemm, gemm_naive, m, n, k, ta, tb, 0.75f, beta);
}
