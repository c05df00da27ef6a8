// clip_grad_norm and clip_grad_value (torch.nn.utils' rules; the golden optim.clip_grad_norm
// cases check the same against PyTorch).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/ember.h"
#include "ember/optim/clip_grad.h"
#include "support/check.h"

using ember::Error;
using ember::NDArray;
using ember::Tensor;
using ember::optim::clip_grad_norm;
using ember::optim::clip_grad_value;
using ember::testing::check_values;

namespace {

Tensor with_grad(const std::vector<float>& grad) {
  const int64_t n = static_cast<int64_t>(grad.size());
  Tensor p = Tensor::zeros({n}, true);
  p.set_grad(NDArray::from_vector(grad, {n}));
  return p;
}

}  // namespace

TEST_CASE("clip_grad_norm returns the total norm before clipping and scales by coef") {
  // ||(3, 4)||^2 + ||(0, 0, 12)||^2 = 169: total 13; coef = 6.5 / (13 + 1e-6)
  Tensor a = with_grad({3, 4}), b = with_grad({0, 0, 12}), none = Tensor::zeros({2}, true);
  CHECK(clip_grad_norm({a, none, b}, 6.5f) == doctest::Approx(13.0));
  const double coef = 6.5 / (13.0 + 1e-6);
  check_values(a.grad(), {3 * coef, 4 * coef});
  check_values(b.grad(), {0, 0, 12 * coef});
  CHECK_FALSE(none.grad().defined());
}

TEST_CASE("gradients under max_norm are left unchanged") {
  Tensor a = with_grad({3, 4});
  CHECK(clip_grad_norm({a}, 5.0f) == doctest::Approx(5.0));  // coef = 5 / (5 + 1e-6) < 1
  CHECK(a.grad().at({0}) < 3.0f);
  Tensor b = with_grad({3, 4});
  CHECK(clip_grad_norm({b}, 100.0f) == doctest::Approx(5.0));
  CHECK(b.grad().to_vector() == std::vector<float>{3, 4});
}

TEST_CASE("other norms: 1, infinity, 3") {
  Tensor a = with_grad({3, -4}), b = with_grad({-12});
  CHECK(clip_grad_norm({a, b}, 1e9f, 1.0f) == doctest::Approx(19.0));
  CHECK(clip_grad_norm({a, b}, 1e9f, ember::optim::kInfNorm) == doctest::Approx(12.0));
  CHECK(clip_grad_norm({a, b}, 1e9f, 3.0f) == doctest::Approx(std::cbrt(27.0 + 64 + 1728)));
  CHECK(clip_grad_norm({a, b}, 6.0f, ember::optim::kInfNorm) == doctest::Approx(12.0));
  check_values(b.grad(), {-12 * 6.0 / (12.0 + 1e-6)});
}

TEST_CASE("non-finite norms: returned, or refused with error_if_nonfinite") {
  Tensor a = with_grad({1, NAN});
  CHECK_THROWS_WITH_AS(clip_grad_norm({a}, 1.0f, 2.0f, true),
                       doctest::Contains("[clip_grad_norm] the total 2-norm"), Error);
  CHECK(a.grad().at({0}) == 1.0f);  // refused before any scaling
  Tensor b = with_grad({INFINITY, 1});
  CHECK(std::isinf(clip_grad_norm({b}, 1.0f, ember::optim::kInfNorm)));
  CHECK(std::isnan(b.grad().at({0})));  // inf * 0, as torch
  CHECK(b.grad().at({1}) == 0.0f);
  Tensor c = with_grad({NAN, 5});
  CHECK(std::isnan(clip_grad_norm({c}, 1.0f, ember::optim::kInfNorm)));
  CHECK(std::isnan(c.grad().at({1})));  // scaled by a NaN coef, as torch
  CHECK(std::isnan(clip_grad_norm({a}, 1.0f)));
}

TEST_CASE("clip_grad_norm arguments are checked") {
  Tensor a = with_grad({1});
  CHECK_THROWS_WITH_AS(clip_grad_norm({a}, 1.0f, 0.0f),
                       doctest::Contains("[clip_grad_norm] norm_type"), Error);
  CHECK_THROWS_WITH_AS(clip_grad_norm({a}, -1.0f), doctest::Contains("[clip_grad_norm] max_norm"),
                       Error);
}

TEST_CASE("the norm of a large gradient does not depend on the thread count") {
  const int64_t n = 5 * ember::core::kParallelElements + 17;
  const NDArray g = ember::core::default_generator().normal({n});
  auto norm_with = [&](int threads) {
    ember::core::set_num_threads(threads);
    Tensor p = Tensor::zeros({n}, true);
    p.set_grad(g.clone());
    return clip_grad_norm({p}, 1e9f);
  };
  const int before = ember::core::num_threads();
  const float one = norm_with(1), two = norm_with(2);
  ember::core::set_num_threads(before);
  CHECK(one == two);
  double sum = 0.0;
  for (float v : g.to_vector()) sum += double{v} * v;
  CHECK(one == doctest::Approx(std::sqrt(sum)).epsilon(1e-6));
}

TEST_CASE("clip_grad_value clamps every element, also through a strided gradient") {
  Tensor a = with_grad({-3, 0.5f, 2});
  clip_grad_value({a}, 1.0f);
  CHECK(a.grad().to_vector() == std::vector<float>{-1, 0.5f, 1});

  Tensor b = Tensor::zeros({3, 2}, true);
  const NDArray base = NDArray::from_vector({5, -5, 0, 1, 2, -0.25f}, {2, 3});
  b.set_grad(base.transpose(0, 1));
  clip_grad_value({b, Tensor::zeros({1}, true)}, 0.5f);
  CHECK(base.to_vector() == std::vector<float>{0.5f, -0.5f, 0, 0.5f, 0.5f, -0.25f});
  CHECK_THROWS_WITH_AS(clip_grad_value({a}, -1.0f), doctest::Contains("[clip_grad_value]"), Error);
}
