#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "ember/layers/layer_norm.h"

using namespace ember;

TEST_CASE("LayerNorm registers weight = ones and bias = zeros of shape (D)") {
  nn::LayerNorm ln(6);
  const auto params = ln.named_parameters();
  REQUIRE(params.size() == 2);
  CHECK(params[0].first == "weight");
  CHECK(params[1].first == "bias");
  CHECK(ln.weight().to_vector() == std::vector<float>(6, 1.0f));
  CHECK(ln.bias().to_vector() == std::vector<float>(6, 0.0f));
  CHECK(ln.eps() == 1e-5f);
}

TEST_CASE("LayerNorm gives each row zero mean and unit biased variance, then scales and shifts") {
  nn::LayerNorm ln(4);
  const Tensor x = Tensor::from_vector({1, 2, 3, 4, -2, 0, 2, 4}, {2, 4});
  const Tensor y = ln.forward(x);
  const float rstd = 1.0f / std::sqrt(1.25f + 1e-5f);
  CHECK(y.data().at({0, 0}) == doctest::Approx(-1.5f * rstd));
  CHECK(y.data().at({1, 3}) == doctest::Approx(1.5f * rstd));

  ln.weight().data().fill_(2.0f);
  ln.bias().data().fill_(0.5f);
  CHECK(ln.forward(x).data().at({0, 0}) == doctest::Approx(-3.0f * rstd + 0.5f));
}

TEST_CASE("LayerNorm gradients match finite differences (input, weight, bias)") {
  nn::LayerNorm ln(5);
  ln.weight().data().copy_(core::default_generator().normal({5}));
  ln.bias().data().copy_(core::default_generator().normal({5}));
  const Tensor x = Tensor::randn({2, 3, 5}, true);
  const auto f = [&](const std::vector<Tensor>& in) { return ln.forward(in[0]); };
  const GradcheckResult r = gradcheck(f, {x, ln.weight(), ln.bias()});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("LayerNorm errors name [layer_norm] and the shapes") {
  nn::LayerNorm ln(4);
  CHECK_THROWS_WITH_AS(
      ln.forward(Tensor::zeros({2, 3})),
      doctest::Contains("[layer_norm] input (2, 3) must end in the normalized size 4"),
      ember::Error);
  CHECK_THROWS_WITH_AS(ln.forward(Tensor::scalar(1.0f)), doctest::Contains("weight (4,)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::LayerNorm(0), doctest::Contains("[layer_norm] normalized size"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::LayerNorm(4, 0.0f), doctest::Contains("[layer_norm] eps"), ember::Error);
}
