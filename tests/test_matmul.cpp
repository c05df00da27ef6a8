#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "ember/core/blas.h"
#include "ember/core/error.h"
#include "ember/core/matmul.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"

using namespace ember::core;

namespace {
void check_close(const NDArray& a, const NDArray& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  for (size_t i = 0; i < x.size(); ++i) CHECK(x[i] == doctest::Approx(y[i]).epsilon(1e-4));
}
}  // namespace

TEST_CASE("BLAS product agrees with the naive loop") {
  Generator gen(1);
  const NDArray a = gen.normal({7, 13}), b = gen.normal({13, 5});
  check_close(matmul(a, b), matmul_naive(a, b));
}

TEST_CASE("transposed views are read by BLAS without a copy, and agree") {
  Generator gen(2);
  const NDArray at = gen.normal({13, 7}), bt = gen.normal({5, 13});
  check_close(matmul(at.transpose(0, 1), bt.transpose(0, 1)),
              matmul_naive(at.transpose(0, 1).contiguous(), bt.transpose(0, 1).contiguous()));
}

TEST_CASE("batched and broadcast products") {
  Generator gen(3);
  const NDArray a = gen.normal({2, 3, 4, 5}), b = gen.normal({2, 1, 5, 6});
  const NDArray y = matmul(a, b);
  REQUIRE(y.shape() == Shape{2, 3, 4, 6});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      check_close(y.select(0, i).select(0, j), matmul_naive(a.select(0, i).select(0, j), b.select(0, i).select(0, 0)));
  const NDArray w = gen.normal({5, 2});  // shared weight: one folded GEMM
  const NDArray z = matmul(a, w);
  check_close(z.select(0, 1).select(0, 2), matmul_naive(a.select(0, 1).select(0, 2), w));
}

// A batch of products each too small to split, together at least kParallelBatchMacs, is spread
// over the threads by batch element: every element's product lands in its own place. The shapes
// of an attention step (weights 1 x n by keys n x d, and its two gradients: a GEMV and a GER),
// with a broadcast operand and a transposed view.
TEST_CASE("a batch of small products over two threads agrees with the naive loop per element") {
  Generator gen(4);
  const int previous = num_threads();
  set_num_threads(2);
  const int64_t batch = 64, n = 24, d = 512;
  REQUIRE(batch * n * d >= kParallelBatchMacs);
  const NDArray w = gen.normal({batch, 1, n}), keys = gen.normal({batch, n, d});
  const NDArray dy = gen.normal({batch, 1, d}), shared = gen.normal({1, 1, n});
  const std::vector<std::pair<NDArray, NDArray>> products = {
      {w, keys}, {dy, keys.transpose(1, 2)}, {w.transpose(1, 2), dy}, {shared, keys}};
  for (const auto& [a, b] : products) {
    const NDArray y = matmul(a, b);
    for (int64_t i = 0; i < batch; ++i)
      check_close(y.select(0, i),
                  matmul_naive(a.select(0, a.size(0) == 1 ? 0 : i), b.select(0, i)));
  }
  set_num_threads(previous);
}

TEST_CASE("vector operands are promoted as in torch") {
  const NDArray m = NDArray::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  const NDArray v = NDArray::from_vector({1, 0, -1}, {3});
  CHECK(matmul(m, v).to_vector() == std::vector<float>{-2, -2});
  CHECK(matmul(NDArray::from_vector({1, 1}, {2}), m).to_vector() == std::vector<float>{5, 7, 9});
  CHECK(matmul(v, v).dim() == 0);
  CHECK(matmul(NDArray::from_vector({1, 2}, {1, 2}), m).to_vector() == std::vector<float>{9, 12, 15});
}

TEST_CASE("shape errors name both shapes") {
  CHECK_THROWS_WITH_AS(matmul(NDArray::zeros({2, 3}), NDArray::zeros({4, 5})),
                       doctest::Contains("[matmul] inner dimensions differ: (2, 3) @ (4, 5)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(matmul(NDArray::zeros({2, 2, 3}), NDArray::zeros({3, 3, 4})),
                       doctest::Contains("[matmul] shapes (2,) and (3,) cannot be broadcast"),
                       ember::Error);
}

TEST_CASE("addmm_ adds the product into out, reading transposed views as stored") {
  Generator gen(5);
  const NDArray a = gen.normal({7, 4}), b = gen.normal({5, 7}), start = gen.normal({4, 5});
  const NDArray out = start.clone();
  addmm_(out, a.transpose(0, 1), b.transpose(0, 1));  // (4, 7) @ (7, 5)
  const NDArray want = matmul_naive(a.transpose(0, 1).contiguous(), b.transpose(0, 1).contiguous());
  const std::vector<float> s = start.to_vector(), p = want.to_vector(), got = out.to_vector();
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(s[i] + p[i]).epsilon(1e-4));
  CHECK_THROWS_WITH_AS(addmm_(NDArray::zeros({4, 4}), a.transpose(0, 1), b.transpose(0, 1)),
                       doctest::Contains("[addmm_] needs contiguous out (M, N) += (M, K) @ (K, N): (4, 4) += (4, 7) @ (7, 5)"),
                       ember::Error);
}
