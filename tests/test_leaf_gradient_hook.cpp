// The backward engine's LeafGradientHook: once per leaf, when its gradient is final.
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "ember/autograd/leaf_gradient_hook.h"
#include "ember/autograd/ops/activation.h"
#include "ember/autograd/ops/arithmetic.h"
#include "ember/autograd/ops/reduction.h"
#include "support/check.h"

using namespace ember;

TEST_CASE("the hook sees each leaf once, with its final gradient, later layers first") {
  const Tensor a = Tensor::from_vector({0.5f, -1.0f, 2.0f}, {3}, true);
  const Tensor b = Tensor::from_vector({1.5f, 0.25f, -0.5f}, {3}, true);
  const Tensor unused = Tensor::from_vector({1.0f}, {1}, true);
  const Tensor x = Tensor::from_vector({1.0f, 2.0f, 3.0f}, {3});
  // a is used twice, at the start and at the end; b once, in the middle.
  const Tensor h = tanh(x * a);
  const Tensor loss = sum(tanh(h * b) * a);

  std::vector<const TensorImpl*> order;
  std::map<const TensorImpl*, std::vector<float>> seen;
  {
    const LeafGradientHookGuard guard([&](const Tensor& leaf) {
      order.push_back(leaf.impl());
      seen[leaf.impl()] = leaf.grad().to_vector();
    });
    loss.backward();
  }
  REQUIRE(order.size() == 2);   // `unused` has no gradient: not called
  CHECK(order[0] == b.impl());  // b's last use is later in the forward pass than a's first
  CHECK(order[1] == a.impl());
  CHECK(seen[a.impl()] == a.grad().to_vector());
  CHECK(seen[b.impl()] == b.grad().to_vector());
  CHECK_FALSE(unused.grad().defined());
}

TEST_CASE("the hook is removed with its guard, and guards nest") {
  int outer = 0, inner = 0;
  const Tensor w = Tensor::from_vector({2.0f}, {1}, true);
  {
    const LeafGradientHookGuard g1([&](const Tensor&) { ++outer; });
    {
      const LeafGradientHookGuard g2([&](const Tensor&) { ++inner; });
      sum(w * w).backward();
    }
    sum(w * w).backward();
  }
  sum(w * w).backward();
  CHECK(inner == 1);
  CHECK(outer == 1);
  CHECK(w.grad().item() == doctest::Approx(12.0f));  // 3 passes of d(w^2)/dw = 4
}

TEST_CASE("a leaf as the root of backward is reported too") {
  const Tensor w = Tensor::from_vector({2.0f}, {1}, true);
  int calls = 0;
  const LeafGradientHookGuard guard([&](const Tensor& leaf) {
    CHECK(leaf.impl() == w.impl());
    ++calls;
  });
  w.backward(core::NDArray::ones({1}));
  CHECK(calls == 1);
}
