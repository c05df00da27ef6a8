#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "ember/ember.h"
#include "ember/layers/embedding.h"

using namespace ember;

TEST_CASE("Embedding looks rows up: ids (B, T) -> (B, T, E)") {
  nn::Embedding emb(5, 3);
  const IndexArray ids({4, 0, 4, 2, 1, 3}, {2, 3});
  const Tensor y = emb.forward(ids);
  CHECK(y.shape() == Shape{2, 3, 3});
  for (int64_t i = 0; i < ids.numel(); ++i)
    for (int64_t e = 0; e < 3; ++e)
      CHECK(y.data().at({i / 3, i % 3, e}) == emb.weight().data().at({ids[i], e}));
}

TEST_CASE("Embedding registers 'weight' (V, E) drawn from N(0, 1)") {
  nn::Embedding emb(1000, 32);
  const auto params = emb.named_parameters();
  REQUIRE(params.size() == 1);
  CHECK(params[0].first == "weight");
  CHECK(params[0].second.shape() == Shape{1000, 32});
  const std::vector<float> v = emb.weight().to_vector();
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  double sq = 0.0;
  for (float x : v) sq += (x - mean) * (x - mean);
  CHECK(std::abs(mean) < 0.02);
  CHECK(std::sqrt(sq / v.size()) == doctest::Approx(1.0).epsilon(0.02));
}

TEST_CASE("Embedding zeroes the padding row at init and never gives it a gradient") {
  nn::Embedding emb(6, 4, 2);
  CHECK(emb.padding_idx() == 2);
  CHECK(emb.weight().data().select(0, 2).to_vector() == std::vector<float>(4, 0.0f));
  emb.weight().data().select(0, 2).fill_(1.5f);  // still looked up as stored
  const IndexArray ids({2, 1, 2, 5}, {4});
  const Tensor y = emb.forward(ids);
  CHECK(y.data().at({0, 3}) == 1.5f);
  y.sum().backward();
  const NDArray& g = emb.weight().grad();
  CHECK(g.select(0, 2).to_vector() == std::vector<float>(4, 0.0f));
  CHECK(g.select(0, 1).to_vector() == std::vector<float>(4, 1.0f));
  CHECK(g.select(0, 0).to_vector() == std::vector<float>(4, 0.0f));
}

TEST_CASE("a tied table: the embedding's rows add into the gradient the other use wrote") {
  // The weight is also used whole (as a tied output layer is), and that gradient comes first in
  // backward: the embedding then adds its rows into it (GradientsInternal::add_rows), and the
  // padding row keeps what the other use gave it.
  nn::Embedding emb(6, 4, 2);
  const IndexArray ids({2, 1, 2, 5, 1}, {5});
  const Tensor looked_up = emb.forward(ids).sum();
  const Tensor whole = (emb.weight() * 3.0f).sum();  // a gradient of 3 everywhere
  (whole + looked_up).backward();
  const NDArray& g = emb.weight().grad();
  CHECK(g.select(0, 1).to_vector() == std::vector<float>(4, 5.0f));  // 3 + id 1 twice
  CHECK(g.select(0, 5).to_vector() == std::vector<float>(4, 4.0f));
  CHECK(g.select(0, 2).to_vector() == std::vector<float>(4, 3.0f));  // padding: 3 only
  CHECK(g.select(0, 0).to_vector() == std::vector<float>(4, 3.0f));
}

TEST_CASE("a tied table passes gradcheck, repeated ids included") {
  // No padding row here: its lookup depends on the row, but by design gives it no gradient.
  nn::Embedding emb(4, 3);
  const IndexArray ids({1, 3, 1, 0, 1, 3}, {2, 3});
  // The looked-up rows times the same table: a tied output layer's logits, (2, 3, 4).
  const auto f = [&](const std::vector<Tensor>& w) {
    return matmul(emb.forward(ids), w[0].transpose(0, 1));
  };
  const GradcheckResult r = gradcheck(f, {emb.weight()});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("Embedding gradient sums repeated ids (gradcheck)") {
  nn::Embedding emb(4, 3);
  const IndexArray ids({1, 3, 1, 0, 1, 3}, {2, 3});
  const auto f = [&](const std::vector<Tensor>&) { return emb.forward(ids); };
  const GradcheckResult r = gradcheck(f, {emb.weight()});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("Embedding errors name [embedding] and the shapes") {
  nn::Embedding emb(5, 3);
  CHECK_THROWS_WITH_AS(emb.forward(IndexArray({1, 5}, {2})),
                       doctest::Contains("[embedding] token id 5 out of range"), ember::Error);
  CHECK_THROWS_WITH_AS(emb.forward(IndexArray({-1}, {1})), doctest::Contains("(5, 3)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      nn::Embedding(5, 3, 5),
      doctest::Contains("[embedding] padding_idx 5 out of range for a weight (5, 3)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(nn::Embedding(0, 3), doctest::Contains("[embedding] num_embeddings"),
                       ember::Error);
}
