#include <doctest/doctest.h>

#include <cmath>

#include "ember/ember.h"
#include "ember/layers/positional.h"

using namespace ember;

TEST_CASE("the sinusoidal table follows Vaswani et al. section 3.5") {
  nn::SinusoidalPositionalEncoding pe(4, 10);
  const NDArray& t = pe.table();
  CHECK(t.shape() == Shape{10, 4});
  CHECK(t.at({0, 0}) == 0.0f);
  CHECK(t.at({0, 1}) == 1.0f);
  CHECK(t.at({3, 0}) == doctest::Approx(std::sin(3.0)));
  CHECK(t.at({3, 1}) == doctest::Approx(std::cos(3.0)));
  CHECK(t.at({3, 2}) == doctest::Approx(std::sin(3.0 / 100.0)));  // 10000^(2/4) = 100
  CHECK(t.at({3, 3}) == doctest::Approx(std::cos(3.0 / 100.0)));
  nn::SinusoidalPositionalEncoding odd(5, 3);
  CHECK(odd.table().at({2, 4}) == doctest::Approx(std::sin(2.0 / std::pow(10000.0, 0.8))));
}

TEST_CASE("sinusoidal encoding adds rows start_pos.. to every batch element; no parameters") {
  nn::SinusoidalPositionalEncoding pe(6, 20);
  CHECK(pe.named_parameters().empty());
  const Tensor x = Tensor::randn({2, 3, 6});
  const Tensor y = pe.forward(x, 4);
  CHECK(y.shape() == Shape{2, 3, 6});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 3; ++t)
      for (int64_t e = 0; e < 6; ++e)
        CHECK(y.data().at({b, t, e}) ==
              doctest::Approx(x.data().at({b, t, e}) + pe.table().at({4 + t, e})));
}

TEST_CASE("incremental decoding with start_pos equals encoding the whole sequence") {
  nn::SinusoidalPositionalEncoding pe(4, 8);
  nn::LearnedPositionalEncoding learned(8, 4);
  const Tensor x = Tensor::randn({2, 5, 4});
  const NDArray full = pe.forward(x).data(), full_learned = learned.forward(x).data();
  for (int64_t t = 0; t < 5; ++t) {
    const Tensor step = x.narrow(1, t, 1);
    CHECK(pe.forward(step, t).to_vector() == full.narrow(1, t, 1).to_vector());
    CHECK(learned.forward(step, t).to_vector() == full_learned.narrow(1, t, 1).to_vector());
  }
}

TEST_CASE("sinusoidal encoding passes the gradient to x unchanged (gradcheck)") {
  nn::SinusoidalPositionalEncoding pe(3, 6);
  const Tensor x = Tensor::randn({2, 4, 3}, true);
  const auto f = [&](const std::vector<Tensor>& in) { return pe.forward(in[0], 1); };
  const GradcheckResult r = gradcheck(f, {x});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("learned encoding registers 'weight' (max_len, d_model) drawn from N(0, 1)") {
  nn::LearnedPositionalEncoding pe(500, 40);
  const auto params = pe.named_parameters();
  REQUIRE(params.size() == 1);
  CHECK(params[0].first == "weight");
  CHECK(params[0].second.shape() == Shape{500, 40});
  const std::vector<float> v = pe.weight().to_vector();
  double sum = 0.0, sq = 0.0;
  for (float w : v) sum += w;
  const double mean = sum / v.size();
  for (float w : v) sq += (w - mean) * (w - mean);
  CHECK(std::abs(mean) < 0.02);
  CHECK(std::sqrt(sq / v.size()) == doctest::Approx(1.0).epsilon(0.03));
}

TEST_CASE("learned encoding gradients reach x and only the rows used (gradcheck)") {
  nn::LearnedPositionalEncoding pe(6, 3);
  const Tensor x = Tensor::randn({2, 3, 3}, true);
  const auto f = [&](const std::vector<Tensor>& in) { return pe.forward(in[0], 2); };
  const GradcheckResult r = gradcheck(f, {x, pe.weight()});
  CHECK_MESSAGE(r.ok, r.message);
  pe.zero_grad();
  pe.forward(x, 2).sum().backward();
  const NDArray& g = pe.weight().grad();
  CHECK(g.select(0, 0).to_vector() == std::vector<float>(3, 0.0f));
  CHECK(g.select(0, 3).to_vector() == std::vector<float>(3, 2.0f));  // summed over the batch
  CHECK(g.select(0, 5).to_vector() == std::vector<float>(3, 0.0f));
}

TEST_CASE("positional encodings refuse bad shapes and positions past max_len") {
  nn::SinusoidalPositionalEncoding pe(4, 5);
  nn::LearnedPositionalEncoding learned(5, 4);
  CHECK_THROWS_WITH_AS(
      pe.forward(Tensor::zeros({1, 6, 4})),
      doctest::Contains("[positional_encoding] positions [0, 6) of input (1, 6, 4) "
                        "exceed max_len 5"),
      ember::Error);
  CHECK_THROWS_WITH_AS(learned.forward(Tensor::zeros({1, 2, 4}), 4),
                       doctest::Contains("positions [4, 6)"), ember::Error);
  CHECK_THROWS_WITH_AS(pe.forward(Tensor::zeros({1, 2, 4}), -1),
                       doctest::Contains("[positional_encoding]"), ember::Error);
  CHECK_THROWS_WITH_AS(pe.forward(Tensor::zeros({1, 2, 3})),
                       doctest::Contains("[positional_encoding] input (1, 2, 3) must be (B, T, 4)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(learned.forward(Tensor::zeros({2, 4})), doctest::Contains("table (5, 4)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::SinusoidalPositionalEncoding(0, 5),
                       doctest::Contains("[positional_encoding] max_len and d_model"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::LearnedPositionalEncoding(5, 0),
                       doctest::Contains("[positional_encoding]"), ember::Error);
}
