#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "ember/ember.h"
#include "ember/layers/linear.h"

using namespace ember;

TEST_CASE("Linear registers torch's parameter names and layouts") {
  nn::Linear lin(4, 3);
  const auto params = lin.named_parameters();
  REQUIRE(params.size() == 2);
  CHECK(params[0].first == "weight");
  CHECK(params[0].second.shape() == Shape{3, 4});
  CHECK(params[1].first == "bias");
  CHECK(params[1].second.shape() == Shape{3});
  CHECK(lin.num_parameters() == 15);

  nn::Linear no_bias(4, 3, false);
  CHECK(no_bias.named_parameters().size() == 1);
  CHECK(!no_bias.bias().defined());
}

TEST_CASE("Linear initialises weight and bias from U(-1/sqrt(in), 1/sqrt(in))") {
  nn::Linear lin(100, 400);
  const float bound = 0.1f;
  for (const Tensor& p : {lin.weight(), lin.bias()}) {
    const std::vector<float> v = p.to_vector();
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    CHECK(*lo >= -bound);
    CHECK(*hi < bound);
    CHECK(*hi > 0.95f * bound);
    CHECK(*lo < -0.95f * bound);
  }
}

TEST_CASE("Linear forward is x @ weight^T + bias on (N..., in)") {
  nn::Linear lin(2, 3);
  lin.load_state_dict({{"weight", NDArray::from_vector({1, 2, 3, 4, 5, 6}, {3, 2})},
                       {"bias", NDArray::from_vector({0.5f, -1, 2}, {3})}});
  const Tensor x = Tensor::from_vector({1, -1, 2, 0.5f}, {2, 1, 2});
  const Tensor y = lin.forward(x);
  CHECK(y.shape() == Shape{2, 1, 3});
  CHECK(y.to_vector() == std::vector<float>{-0.5f, -2, 1, 3.5f, 7, 15});
}

TEST_CASE("Linear gradients match finite differences (input, weight, bias)") {
  nn::Linear lin(5, 4);
  const Tensor x = Tensor::randn({2, 3, 5}, true);
  const auto f = [&](const std::vector<Tensor>& in) { return lin.forward(in[0]); };
  const GradcheckResult r = gradcheck(f, {x, lin.weight(), lin.bias()});
  CHECK_MESSAGE(r.ok, r.message);

  nn::Linear no_bias(3, 2, false);
  const Tensor x2 = Tensor::randn({4, 3}, true);
  const auto g = [&](const std::vector<Tensor>& in) { return no_bias.forward(in[0]); };
  const GradcheckResult r2 = gradcheck(g, {x2, no_bias.weight()});
  CHECK_MESSAGE(r2.ok, r2.message);
}

TEST_CASE("Linear state_dict round-trips through load_state_dict") {
  nn::Linear a(3, 2), b(3, 2);
  b.load_state_dict(a.state_dict());
  const Tensor x = Tensor::randn({4, 3});
  CHECK(a.forward(x).to_vector() == b.forward(x).to_vector());
}

TEST_CASE("Linear errors name [linear] and the shapes") {
  CHECK_THROWS_WITH_AS(nn::Linear(0, 3), doctest::Contains("[linear] in_features and out_features"),
                       ember::Error);
  nn::Linear lin(4, 3);
  CHECK_THROWS_WITH_AS(lin.forward(Tensor::zeros({2, 5})),
                       doctest::Contains("[linear] input (2, 5) does not match weight (3, 4)"),
                       ember::Error);
}
