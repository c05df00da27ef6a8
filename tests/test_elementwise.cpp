#include <doctest/doctest.h>

#include <cmath>

#include "ember/core/elementwise.h"
#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/core/threads.h"

using namespace ember::core;

TEST_CASE("binary ops broadcast") {
  const NDArray a = NDArray::from_vector({1, 2, 3}, {1, 3});
  const NDArray b = NDArray::from_vector({10, 20}, {2, 1});
  CHECK(add(a, b).to_vector() == std::vector<float>{11, 12, 13, 21, 22, 23});
  CHECK(sub(a, b).shape() == Shape{2, 3});
  CHECK(mul(a, b).at({1, 2}) == 60.0f);
  CHECK(div(b, a).at({0, 1}) == 5.0f);
  CHECK(maximum(a, NDArray::scalar(2.0f)).to_vector() == std::vector<float>{2, 2, 3});
  CHECK_THROWS_WITH_AS(add(a, NDArray::zeros({2})), doctest::Contains("[add] shapes (1, 3) and (2,)"),
                       ember::Error);
}

TEST_CASE("strided inputs give the same result as contiguous ones") {
  Generator gen(3);
  const NDArray x = gen.normal({4, 5, 6});
  const NDArray t = x.permute({2, 0, 1});
  const NDArray y = mul(t, t.contiguous());
  const NDArray ref = mul(t.contiguous(), t.contiguous());
  CHECK(y.to_vector() == ref.to_vector());
}

TEST_CASE("large arrays run in parallel and agree with the serial definition") {
  Generator gen(5);
  const NDArray x = gen.normal({kParallelElements * 2 + 3});
  const NDArray y = tanh(x);
  const std::vector<float> xv = x.to_vector(), yv = y.to_vector();
  for (size_t i = 0; i < xv.size(); i += 997) CHECK(yv[i] == doctest::Approx(std::tanh(xv[i])).epsilon(1e-6));
}

TEST_CASE("unary functions") {
  const NDArray x = NDArray::from_vector({-1.0f, 0.0f, 2.0f}, {3});
  CHECK(relu(x).to_vector() == std::vector<float>{0, 0, 2});
  CHECK(sigmoid(x).at({1}) == 0.5f);
  CHECK(exp(x).at({1}) == 1.0f);
  CHECK(neg(x).at({2}) == -2.0f);
  CHECK(gelu(x).at({2}) == doctest::Approx(1.9544997f));  // 2 * Phi(2)
  CHECK(gelu(x).at({0}) == doctest::Approx(-0.1586553f));
  CHECK(pow_scalar(x, 3.0f).at({2}) == doctest::Approx(8.0f));
  CHECK(sqrt(NDArray::scalar(9.0f)).item() == 3.0f);
  CHECK(log(NDArray::scalar(1.0f)).item() == 0.0f);
  CHECK(add_scalar(x, 1.0f).at({0}) == 0.0f);
  CHECK(mul_scalar(x, 2.0f).at({2}) == 4.0f);
}
