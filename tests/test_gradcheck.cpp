#include <doctest/doctest.h>

#include "ember/core/elementwise.h"
#include "ember/ember.h"

using namespace ember;

TEST_CASE("gradcheck accepts a correct op and restores the inputs") {
  Tensor x = Tensor::randn({3, 2}, true);
  const std::vector<float> before = x.to_vector();
  const GradcheckResult r = gradcheck([](const auto& in) { return tanh(in[0]) * in[0]; }, {x});
  CHECK(r.ok);
  CHECK(r.max_abs_err < 1e-2);
  CHECK(x.to_vector() == before);
}

TEST_CASE("gradcheck catches a wrong backward and names the element") {
  // y = x^2 with a deliberately wrong derivative (x instead of 2x)
  auto wrong_square = [](const std::vector<Tensor>& in) {
    const NDArray xd = in[0].data();
    return make_result(core::mul(xd, xd), "wrong_square", {in[0]},
                       [xd](const NDArray& dy, Gradients& g) { g.set(0, core::mul(xd, dy)); });
  };
  Tensor x = Tensor::from_vector({1.0f, 2.0f}, {2}, true);
  const GradcheckResult r = gradcheck(wrong_square, {x});
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("input 0 element") != std::string::npos);
}

TEST_CASE("gradcheck rejects non-contiguous inputs") {
  Tensor x(NDArray::zeros({2, 3}).transpose(0, 1), true);
  CHECK_THROWS_WITH_AS(gradcheck([](const auto& in) { return in[0] * 2.0f; }, {x}),
                       doctest::Contains("[gradcheck] input 0 must be contiguous"), Error);
}

TEST_CASE("gradcheck gives the inputs back the gradients they had") {
  Tensor x = Tensor::randn({3}, true);
  Tensor w = Tensor::randn({3}, true);
  x.set_grad(NDArray::full({3}, 5.0f));  // as if from an earlier backward
  const GradcheckResult r = gradcheck([](const auto& in) { return in[0] * in[1]; }, {x, w});
  CHECK(r.ok);
  CHECK(x.grad().to_vector() == std::vector<float>{5.0f, 5.0f, 5.0f});
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("gradcheck restores gradients and values when f throws") {
  Tensor x = Tensor::from_vector({1.0f, 2.0f}, {2}, true);
  int calls = 0;
  auto fails_on_second_call = [&calls](const std::vector<Tensor>& in) {
    EMBER_CHECK(++calls < 2, "[test_op] fails at call {}", calls);
    return in[0] * 3.0f;
  };
  CHECK_THROWS_WITH_AS(gradcheck(fails_on_second_call, {x}), doctest::Contains("[test_op]"), Error);
  CHECK(x.to_vector() == std::vector<float>{1.0f, 2.0f});
  CHECK_FALSE(x.grad().defined());
}
