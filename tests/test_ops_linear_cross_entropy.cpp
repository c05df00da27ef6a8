// linear_cross_entropy must be cross_entropy(linear(...)) in value and in every gradient, across
// chunk boundaries, reductions, label smoothing, ignored rows and a missing bias.
#include <doctest/doctest.h>

#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_close;
using testing::check_gradients;

namespace {

// Runs the fused op and the two composed ops on copies of the same leaves; compares the loss and
// the gradients of input, weight and bias.
void check_against_composed(const Shape& input_shape, int64_t classes, const IndexArray& target,
                            const CrossEntropyOptions& options, bool with_bias) {
  const int64_t width = input_shape.back();
  const Tensor x0 = Tensor::randn(input_shape), w0 = Tensor::randn({classes, width});
  const Tensor b0 = Tensor::randn({classes});
  const auto leaves = [&] {
    return std::vector<Tensor>{Tensor(x0.data().clone(), true), Tensor(w0.data().clone(), true),
                               with_bias ? Tensor(b0.data().clone(), true) : Tensor()};
  };
  const std::vector<Tensor> fused = leaves(), composed = leaves();
  const Tensor fused_loss = linear_cross_entropy(fused[0], fused[1], fused[2], target, options);
  const Tensor composed_loss =
      cross_entropy(linear(composed[0], composed[1], composed[2]), target, options);
  check_close(fused_loss.data(), composed_loss.data(), 1e-4f);
  // A non-unit upstream gradient: backward must scale what forward computed.
  const NDArray upstream = core::NDArray::full(fused_loss.shape(), 0.7f);
  fused_loss.backward(upstream);
  composed_loss.backward(upstream);
  for (size_t i = 0; i < (with_bias ? 3u : 2u); ++i) {
    INFO("input " << i);
    check_close(fused[i].grad(), composed[i].grad(), 1e-3f);
  }
}

}  // namespace

TEST_CASE("linear_cross_entropy equals cross_entropy of linear, value and gradients") {
  const IndexArray target({1, 4, 0, 2, 0, 3}, {2, 3});
  for (Reduction r : {Reduction::kMean, Reduction::kSum, Reduction::kNone})
    for (bool with_bias : {true, false}) {
      INFO("reduction " << static_cast<int>(r) << " bias " << with_bias);
      check_against_composed({2, 3, 7}, 5, target,
                             {.ignore_index = 0, .label_smoothing = 0.1f, .reduction = r}, with_bias);
    }
}

TEST_CASE("linear_cross_entropy over several chunks of rows") {
  // 2^21 / 70,000 classes = 29 rows a chunk: 70 rows take three chunks, the last one short.
  std::vector<int64_t> ids(70);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i * 997 % 70000);
  ids[5] = -100;  // one ignored row, in the first chunk
  check_against_composed({70, 3}, 70000, IndexArray(ids), {.label_smoothing = 0.2f}, true);
}

TEST_CASE("linear_cross_entropy over several chunks of rows under bf16 products") {
  if (!core::bf16_unsupported_reason().empty()) {
    MESSAGE("no bf16 products here: " << core::bf16_unsupported_reason());
    return;
  }
  // Both sides' products in bf16. Chunks of 2^23 logits: 2^23 / 200,000 classes = 41 rows, so 100
  // rows take three chunks, the last one short.
  core::MatmulPrecisionGuard bf16(core::MatmulPrecision::bf16);
  std::vector<int64_t> ids(100);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i * 1999 % 200000);
  ids[60] = -100;  // one ignored row, in the second chunk
  check_against_composed({100, 3}, 200000, IndexArray(ids), {.label_smoothing = 0.2f}, true);
}

TEST_CASE("linear_cross_entropy's gradients match finite differences") {
  const IndexArray target({2, 0, 1, 3});
  Tensor x = Tensor::randn({4, 3}, true), w = Tensor::randn({4, 3}, true), b = Tensor::randn({4}, true);
  check_gradients([&](const auto& in) {
    return linear_cross_entropy(in[0], in[1], in[2], target, {.label_smoothing = 0.1f});
  }, {x, w, b});
}

TEST_CASE("linear_cross_entropy without grad mode records nothing and computes the same loss") {
  Tensor x = Tensor::randn({5, 4}, true), w = Tensor::randn({6, 4}, true);
  const IndexArray target({0, 5, 2, 2, 1});
  const float with_grad = linear_cross_entropy(x, w, Tensor(), target).item();
  NoGradGuard guard;
  const Tensor loss = linear_cross_entropy(x, w, Tensor(), target);
  CHECK_FALSE(loss.requires_grad());
  CHECK(loss.item() == doctest::Approx(with_grad));
}

TEST_CASE("linear_cross_entropy computes only the gradients that are wanted") {
  const Tensor x = Tensor::randn({3, 4}, true), frozen = Tensor::randn({6, 4});
  linear_cross_entropy(x, frozen, Tensor(), IndexArray({1, 2, 3})).backward();
  CHECK(x.grad().defined());
  CHECK_FALSE(frozen.grad().defined());
}

TEST_CASE("linear_cross_entropy errors name the op and the shapes") {
  const Tensor x = Tensor::zeros({4, 3}), w = Tensor::zeros({5, 3});
  CHECK_THROWS_WITH_AS(linear_cross_entropy(x, Tensor::zeros({5, 2}), Tensor(), IndexArray({0, 1, 2, 3})),
                       doctest::Contains("[linear_cross_entropy] input (4, 3) does not match weight (5, 2)"), Error);
  CHECK_THROWS_WITH_AS(linear_cross_entropy(x, w, Tensor::zeros({4}), IndexArray({0, 1, 2, 3})),
                       doctest::Contains("[linear_cross_entropy] bias (4,) does not match weight (5, 3)"), Error);
  CHECK_THROWS_WITH_AS(linear_cross_entropy(x, w, Tensor(), IndexArray({0, 1})),
                       doctest::Contains("[linear_cross_entropy] target (2,) does not match input (4, 3) (expected (4,))"), Error);
  CHECK_THROWS_WITH_AS(linear_cross_entropy(x, w, Tensor(), IndexArray({0, 1, 2, 5})),
                       doctest::Contains("[linear_cross_entropy] target 5 out of range for 5 classes"), Error);
  CHECK_THROWS_WITH_AS(linear_cross_entropy(x, w, Tensor(), IndexArray({0, 1, 2, 3}), {.label_smoothing = -1.0f}),
                       doctest::Contains("[linear_cross_entropy] label_smoothing -1 outside [0, 1]"), Error);
}
