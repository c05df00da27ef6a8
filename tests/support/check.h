// Small helpers shared by the tests.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include "autograd/gradcheck.h"
#include "core/ndarray.h"

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

}  // namespace ember::testing
