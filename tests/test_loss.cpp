#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "ember/layers/loss.h"

using namespace ember;

TEST_CASE("CrossEntropyLoss of uniform logits is log C; it has no parameters") {
  nn::CrossEntropyLoss loss;
  CHECK(loss.named_parameters().empty());
  const Tensor l = loss.forward(Tensor::zeros({3, 5}), IndexArray({0, 4, 2}, {3}));
  CHECK(l.shape() == Shape{});
  CHECK(l.item() == doctest::Approx(std::log(5.0f)));
}

TEST_CASE("CrossEntropyLoss passes its options to cross_entropy") {
  const Tensor logits = Tensor::randn({2, 3, 4});
  const IndexArray target({1, -100, 3, 0, 2, -100}, {2, 3});
  const CrossEntropyOptions opts{
      .ignore_index = -100, .label_smoothing = 0.1f, .reduction = Reduction::kNone};
  const Tensor l = nn::CrossEntropyLoss(opts).forward(logits, target);
  CHECK(l.shape() == Shape{2, 3});
  CHECK(l.to_vector() == cross_entropy(logits, target, opts).to_vector());
  CHECK(l.data().at({0, 1}) == 0.0f);
  const Tensor sum = nn::CrossEntropyLoss({.reduction = Reduction::kSum}).forward(logits, target);
  CHECK(sum.item() ==
        doctest::Approx(cross_entropy(logits, target, {.reduction = Reduction::kSum}).item()));
}

TEST_CASE("NLLLoss of log_softmax equals CrossEntropyLoss, value and gradient") {
  const Tensor x1 = Tensor::randn({4, 6}, true);
  const Tensor x2(x1.data().clone(), true);
  const IndexArray target({5, 0, 3, 3}, {4});
  const Tensor ce = nn::CrossEntropyLoss().forward(x1, target);
  const Tensor nll = nn::NLLLoss().forward(log_softmax(x2, -1), target);
  CHECK(ce.item() == doctest::Approx(nll.item()));
  ce.backward();
  nll.backward();
  const std::vector<float> g1 = x1.grad().to_vector(), g2 = x2.grad().to_vector();
  for (size_t i = 0; i < g1.size(); ++i) CHECK(g1[i] == doctest::Approx(g2[i]).epsilon(1e-4));
}

TEST_CASE("NLLLoss honours ignore_index and reduction") {
  const Tensor logp = Tensor::from_vector({-1, -2, -3, -4, -5, -6}, {3, 2});
  const IndexArray target({1, 7, 0}, {3});
  nn::NLLLoss mean({.ignore_index = 7});
  CHECK(mean.forward(logp, target).item() == doctest::Approx((2.0f + 5.0f) / 2.0f));
  nn::NLLLoss none({.ignore_index = 7, .reduction = Reduction::kNone});
  CHECK(none.forward(logp, target).to_vector() == std::vector<float>{2, 0, 5});
}

TEST_CASE("loss modules' gradients match finite differences") {
  const Tensor logits = Tensor::randn({3, 4}, true);
  const IndexArray target({2, 0, 3}, {3});
  nn::CrossEntropyLoss ce({.label_smoothing = 0.2f});
  const GradcheckResult r =
      gradcheck([&](const std::vector<Tensor>& in) { return ce.forward(in[0], target); }, {logits});
  CHECK_MESSAGE(r.ok, r.message);
  nn::NLLLoss nll({.reduction = Reduction::kSum});
  const GradcheckResult r2 = gradcheck(
      [&](const std::vector<Tensor>& in) { return nll.forward(in[0], target); }, {logits});
  CHECK_MESSAGE(r2.ok, r2.message);
}

TEST_CASE("loss modules' errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(nn::CrossEntropyLoss({.label_smoothing = 1.5f}),
                       doctest::Contains("[cross_entropy] label_smoothing 1.5"), ember::Error);
  CHECK_THROWS_WITH_AS(
      nn::CrossEntropyLoss().forward(Tensor::zeros({3, 4}), IndexArray({1, 2}, {2})),
      doctest::Contains("[cross_entropy] target (2,) does not match input (3, 4)"), ember::Error);
  CHECK_THROWS_WITH_AS(nn::NLLLoss().forward(Tensor::zeros({2, 4}), IndexArray({1, 4}, {2})),
                       doctest::Contains("[nll_loss] target 4 out of range for 4 classes"),
                       ember::Error);
}
