// Small helpers shared by the tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "ember/autograd/gradcheck.h"
#include "ember/core/ndarray.h"

namespace ember::testing {

// Runs ember::gradcheck and fails the test with the worst element's description.
inline void check_gradients(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                            const std::vector<Tensor>& inputs, const GradcheckOptions& options = {}) {
  const GradcheckResult r = gradcheck(f, inputs, options);
  INFO(r.message);
  CHECK(r.ok);
}

// Elementwise closeness of two arrays of the same shape.
inline void check_close(const core::NDArray& got, const core::NDArray& want, float tol = 1e-5f) {
  REQUIRE(got.shape() == want.shape());
  const std::vector<float> a = got.to_vector(), b = want.to_vector();
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(tol).scale(1));
}

// The largest |got - want| over two arrays of the same shape.
inline float max_abs_diff(const core::NDArray& got, const core::NDArray& want) {
  REQUIRE(got.shape() == want.shape());
  const std::vector<float> a = got.to_vector(), b = want.to_vector();
  float worst = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

// Every element of got within an absolute tol of want's.
inline void check_abs_close(const Tensor& got, const Tensor& want, float tol = 1e-5f) {
  CHECK(max_abs_diff(got.data(), want.data()) <= tol);
}

// Each value against the expected one, to a relative 1e-6.
inline void check_values(const std::vector<float>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-6));
}
inline void check_values(const core::NDArray& got, const std::vector<double>& want) {
  check_values(got.to_vector(), want);
}

}  // namespace ember::testing
