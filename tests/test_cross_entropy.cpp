#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/core/cross_entropy.h"
#include "ember/core/random.h"
#include "ember/core/softmax.h"

using namespace ember::core;

// One row of 37 logits (the kernels' blocks of eight and their tail) against the formulas in
// double; the fused kernel against the two separate ones.
TEST_CASE("cross-entropy row kernels equal their formulas") {
  Generator gen(5);
  const int64_t classes = 37, t = 11;
  const float eps = 0.1f, w = 0.5f;
  const std::vector<float> x = gen.normal({classes}).to_vector();
  double top = x[0];
  for (float v : x) top = std::max(top, static_cast<double>(v));
  double total = 0.0, sum_x = 0.0;
  for (float v : x) {
    total += std::exp(v - top);
    sum_x += v;
  }
  const double lse = top + std::log(total);
  const double want_loss = (1 - eps) * (lse - x[t]) + eps * (lse - sum_x / classes);
  const float lse_f = log_sum_exp_lane(x.data(), classes);
  CHECK(lse_f == doctest::Approx(lse).epsilon(1e-6));
  CHECK(cross_entropy_row_loss(x.data(), classes, t, lse_f, eps) ==
        doctest::Approx(want_loss).epsilon(1e-6));
  std::vector<float> d(static_cast<size_t>(classes)), fused = x;
  cross_entropy_row_gradient(x.data(), classes, t, lse_f, eps, w, d.data());
  const double fused_loss = cross_entropy_row_loss_and_gradient(fused.data(), classes, t, eps, w);
  CHECK(fused_loss == doctest::Approx(want_loss).epsilon(1e-6));
  for (int64_t c = 0; c < classes; ++c) {
    const size_t i = static_cast<size_t>(c);
    const double want = w * (std::exp(x[i] - lse) - eps / classes) - (c == t ? w * (1 - eps) : 0.0);
    CHECK(d[i] == doctest::Approx(want).epsilon(1e-5).scale(1e-3));
    CHECK(fused[i] == doctest::Approx(want).epsilon(1e-5).scale(1e-3));
  }
}
