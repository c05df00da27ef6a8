#include <doctest/doctest.h>

#include <cmath>

#include "ember/core/error.h"
#include "ember/core/layer_norm.h"
#include "ember/core/random.h"

using namespace ember::core;

TEST_CASE("layer_norm normalises each row with the biased variance") {
  const NDArray x = NDArray::from_vector({1, 2, 3, 4, 10, 10, 10, 10}, {2, 4});
  const LayerNormResult r = layer_norm(x, NDArray::ones({4}), NDArray::zeros({4}), 1e-5f);
  const float rstd = 1.0f / std::sqrt(1.25f + 1e-5f);  // var of 1..4 = 1.25
  CHECK(r.y.at({0, 0}) == doctest::Approx(-1.5f * rstd));
  CHECK(r.y.at({1, 2}) == 0.0f);
  CHECK(r.mean.to_vector() == std::vector<float>{2.5f, 10.0f});
  CHECK(r.rstd.at({0}) == doctest::Approx(rstd));
}

TEST_CASE("layer_norm_backward matches finite differences of sum(y * dy)") {
  Generator gen(6);
  const NDArray x = gen.normal({3, 5}), w = gen.normal({5}), b = gen.normal({5}), dy = gen.normal({3, 5});
  const LayerNormResult r = layer_norm(x, w, b, 1e-5f);
  const LayerNormGrads g = layer_norm_backward(dy, x, w, r.mean, r.rstd);
  auto objective = [&](const NDArray& xx, const NDArray& ww, const NDArray& bb) {
    const std::vector<float> y = layer_norm(xx, ww, bb, 1e-5f).y.to_vector(), d = dy.to_vector();
    double s = 0;
    for (size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * d[i];
    return s;
  };
  const float eps = 1e-2f;
  for (const auto& [array, grad] : {std::pair{x, g.dx}, {w, g.dweight}, {b, g.dbias}}) {
    for (int64_t i = 0; i < array.numel(); ++i) {
      const float saved = array.data()[i];
      array.data()[i] = saved + eps;
      const double plus = objective(x, w, b);
      array.data()[i] = saved - eps;
      const double minus = objective(x, w, b);
      array.data()[i] = saved;
      CHECK(grad.data()[i] == doctest::Approx((plus - minus) / (2 * eps)).epsilon(2e-2));
    }
  }
}

TEST_CASE("layer_norm checks the parameter shapes") {
  CHECK_THROWS_WITH_AS(layer_norm(NDArray::zeros({2, 4}), NDArray::ones({3}), NDArray::zeros({4}), 1e-5f),
                       doctest::Contains("[layer_norm] input (2, 4) needs weight and bias of shape (4,)"),
                       ember::Error);
}
