#include <doctest/doctest.h>

#include "ember/ember.h"

using namespace ember;

TEST_CASE("NoGradGuard stops recording and restores the previous mode") {
  Tensor x = Tensor::ones({2}, true);
  CHECK(is_grad_enabled());
  {
    NoGradGuard guard;
    CHECK_FALSE(is_grad_enabled());
    Tensor y = x * 2.0f;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    {
      NoGradGuard nested;
    }
    CHECK_FALSE(is_grad_enabled());
  }
  CHECK(is_grad_enabled());
  CHECK((x * 2.0f).requires_grad());
  set_grad_enabled(false);
  CHECK_FALSE((x * 2.0f).requires_grad());
  set_grad_enabled(true);
}
