#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "ember/layers/dropout.h"
#include "ember/layers/linear.h"

using namespace ember;

TEST_CASE("Dropout in eval mode is the identity and has no parameters") {
  nn::Dropout drop(0.3f);
  CHECK(drop.named_parameters().empty());
  drop.eval();
  const Tensor x = Tensor::randn({3, 4});
  const Tensor y = drop.forward(x);
  CHECK(y.data().shares_storage_with(x.data()));
  CHECK(y.to_vector() == x.to_vector());
}

TEST_CASE("Dropout in training zeroes about p of the elements and scales the rest by 1/(1-p)") {
  nn::Dropout drop(0.25f);
  CHECK(drop.is_training());
  const Tensor y = drop.forward(Tensor::ones({100, 100}));
  int64_t zeros = 0, scaled = 0;
  for (float v : y.to_vector()) {
    zeros += v == 0.0f;
    scaled += v == doctest::Approx(1.0f / 0.75f);
  }
  CHECK(zeros + scaled == 10000);
  CHECK(static_cast<double>(zeros) / 10000.0 == doctest::Approx(0.25).epsilon(0.06));
}

TEST_CASE("Dropout with p = 0 passes x through in training") {
  nn::Dropout drop(0.0f);
  const Tensor x = Tensor::randn({5});
  CHECK(drop.forward(x).to_vector() == x.to_vector());
}

TEST_CASE("Dropout masks are reproducible under manual_seed and differ between calls") {
  nn::Dropout drop(0.5f);
  const Tensor x = Tensor::ones({64});
  core::manual_seed(3);
  const std::vector<float> a = drop.forward(x).to_vector();
  const std::vector<float> b = drop.forward(x).to_vector();
  core::manual_seed(3);
  CHECK(drop.forward(x).to_vector() == a);
  CHECK(a != b);
}

TEST_CASE("Dropout gradient is the mask scaled by 1/(1-p) (gradcheck with a fixed seed)") {
  nn::Dropout drop(0.4f);
  const Tensor x = Tensor::randn({4, 5}, true);
  const auto f = [&](const std::vector<Tensor>& in) {
    core::manual_seed(9);
    return drop.forward(in[0]);
  };
  const GradcheckResult r = gradcheck(f, {x});
  CHECK_MESSAGE(r.ok, r.message);

  const Tensor ones = Tensor::ones({50}, true);
  const Tensor y = drop.forward(ones);
  const Tensor later = drop.forward(Tensor::ones({50}));  // the generator moves on
  y.sum().backward();
  // Backward draws the mask again from the generator's state at y's forward, not its current one.
  CHECK(ones.grad().to_vector() == y.to_vector());
  CHECK(later.to_vector() != y.to_vector());
}

TEST_CASE("eval() on a parent module switches its Dropout off") {
  nn::Sequential seq;
  seq.push_back(std::make_shared<nn::Linear>(3, 3));
  seq.push_back(std::make_shared<nn::Dropout>(0.9f));
  seq.eval();
  const Tensor x = Tensor::randn({2, 3});
  const Tensor expected = dynamic_cast<const nn::Linear&>(*seq.children()[0].second).forward(x);
  CHECK(seq.forward(x).to_vector() == expected.to_vector());
}

TEST_CASE("Dropout refuses p outside [0, 1) naming [dropout]") {
  CHECK_THROWS_WITH_AS(nn::Dropout(1.0f), doctest::Contains("[dropout] probability 1"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::Dropout(-0.1f), doctest::Contains("[dropout]"), ember::Error);
}
