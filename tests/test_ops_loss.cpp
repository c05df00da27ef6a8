#include <doctest/doctest.h>

#include <cmath>

#include "ember/core/softmax.h"
#include "ember/ember.h"
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

// When nothing else holds the logits, backward writes the gradient into their storage: the result
// must not differ from the case where they are kept (and a fresh array is written).
TEST_CASE("cross_entropy's gradient is the same whether or not the caller keeps the logits") {
  Tensor x = Tensor::randn({6, 9}, true);
  const IndexArray target({1, 8, 0, 2, 5, 3});
  const CrossEntropyOptions options{.ignore_index = 0, .label_smoothing = 0.1f};
  const Tensor kept = x * 2.0f;
  cross_entropy(kept, target, options).backward();
  const std::vector<float> with_kept = x.grad().to_vector();
  x.zero_grad();
  const Tensor loss = cross_entropy(x * 2.0f, target, options);  // the logits die here
  loss.backward();
  const std::vector<float> with_dropped = x.grad().to_vector();
  // dx_c = 2 w (softmax(2x)_c - eps/C) - 2 w (1 - eps) [c = t], w = 1/5 (one row ignored)
  const NDArray p = core::softmax(kept.data(), 1);
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t c = 0; c < 9; ++c) {
      const float w = target[i] == 0 ? 0.0f : 0.2f;
      const float want = 2.0f * w * (p.at({i, c}) - 0.1f / 9) - (c == target[i] ? 2.0f * w * 0.9f : 0.0f);
      CHECK(with_kept[static_cast<size_t>(i * 9 + c)] == doctest::Approx(want).epsilon(1e-4));
      CHECK(with_dropped[static_cast<size_t>(i * 9 + c)] == with_kept[static_cast<size_t>(i * 9 + c)]);
    }
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
