#include <doctest/doctest.h>

#include <cmath>

#include "core/softmax.h"
#include "ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("cross_entropy equals nll of log_softmax, ignoring ignored rows") {
  Tensor logits = Tensor::randn({5, 4}, true);
  const IndexArray target({1, 0, 3, 2, 0});
  const float ce = cross_entropy(logits, target, {.ignore_index = 0}).item();
  const float nll = nll_loss(log_softmax(logits, 1), target, 0).item();
  CHECK(ce == doctest::Approx(nll));
  double manual = 0;
  const NDArray lp = core::log_softmax(logits.data(), 1);
  for (int64_t i : {0, 2, 3}) manual -= lp.at({i, target[i]});
  CHECK(ce == doctest::Approx(manual / 3));
}

TEST_CASE("label smoothing mixes in the uniform distribution") {
  const Tensor logits = Tensor::from_vector({2, 0, 0}, {1, 3});
  const IndexArray target({0});
  const float eps = 0.1f;
  const NDArray lp = core::log_softmax(logits.data(), 1);
  const double want = (1 - eps) * -lp.at({0, 0}) - eps * (lp.at({0, 0}) + lp.at({0, 1}) + lp.at({0, 2})) / 3;
  CHECK(cross_entropy(logits, target, {.label_smoothing = eps}).item() == doctest::Approx(want));
}

TEST_CASE("cross_entropy and nll_loss gradients for every reduction") {
  Tensor logits = Tensor::randn({2, 3, 5}, true);
  const IndexArray target({1, 4, 0, 2, 0, 3}, {2, 3});
  for (Reduction r : {Reduction::kMean, Reduction::kSum, Reduction::kNone}) {
    check_gradients([&](const auto& in) {
      return cross_entropy(in[0], target, {.ignore_index = 0, .label_smoothing = 0.1f, .reduction = r});
    }, {logits});
    check_gradients([&](const auto& in) { return nll_loss(in[0], target, 0, r); }, {logits});
  }
  CHECK(cross_entropy(logits, target, {.reduction = Reduction::kNone}).shape() == Shape{2, 3});
}

TEST_CASE("a batch with every row ignored gives NaN for mean, as PyTorch") {
  const Tensor logits = Tensor::randn({2, 3});
  CHECK(std::isnan(cross_entropy(logits, IndexArray({0, 0}), {.ignore_index = 0}).item()));
}

TEST_CASE("loss errors name the op and the shapes") {
  const Tensor logits = Tensor::zeros({4, 3});
  CHECK_THROWS_WITH_AS(cross_entropy(logits, IndexArray({0, 1})),
                       doctest::Contains("[cross_entropy] target (2,) does not match input (4, 3) (expected (4,))"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(logits, IndexArray({0, 1, 2, 3})),
                       doctest::Contains("[cross_entropy] target 3 out of range for 3 classes"), Error);
  CHECK_THROWS_WITH_AS(nll_loss(logits, IndexArray({0, 1, 2, -1})), doctest::Contains("[nll_loss] target -1 out of range"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(logits, IndexArray({0, 1, 2, 0}), {.label_smoothing = 2.0f}),
                       doctest::Contains("[cross_entropy] label_smoothing 2 outside [0, 1]"), Error);
}
