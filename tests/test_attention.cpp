#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/attention.h"

using namespace ember;

namespace {

// Score e[b][i] by plain loops in double, for each kind.
std::vector<double> reference_scores(const std::string& kind, const Tensor& q, const Tensor& keys,
                                     const nn::Module& m) {
  const int64_t batch = keys.size(0), n = keys.size(1), dk = keys.size(2), dq = q.size(1);
  const auto qv = q.to_vector(), kv = keys.to_vector();
  std::map<std::string, std::vector<float>> p;
  for (const auto& [name, t] : m.named_parameters()) p[name] = t.to_vector();
  std::vector<double> e(static_cast<size_t>(batch * n), 0.0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < n; ++i) {
      const float* k = kv.data() + (b * n + i) * dk;
      const float* x = qv.data() + b * dq;
      double s = 0.0;
      if (kind == "dot" || kind == "scaled_dot") {
        for (int64_t j = 0; j < dk; ++j) s += double(x[j]) * k[j];
        if (kind == "scaled_dot") s /= std::sqrt(double(dk));
      } else if (kind == "general") {
        for (int64_t a = 0; a < dq; ++a)
          for (int64_t j = 0; j < dk; ++j) s += double(x[a]) * p["W"][a * dk + j] * k[j];
      } else {
        const int64_t da = static_cast<int64_t>(p["v"].size());
        for (int64_t a = 0; a < da; ++a) {
          double h = 0.0;
          for (int64_t j = 0; j < dq; ++j) h += double(p["W_q"][a * dq + j]) * x[j];
          for (int64_t j = 0; j < dk; ++j) h += double(p["W_k"][a * dk + j]) * k[j];
          s += p["v"][a] * std::tanh(h);
        }
      }
      e[b * n + i] = s;
    }
  return e;
}

std::shared_ptr<nn::Attention> make(const std::string& kind, int64_t dq, int64_t dk) {
  if (kind == "dot") return std::make_shared<nn::DotAttention>();
  if (kind == "scaled_dot") return std::make_shared<nn::ScaledDotAttention>();
  if (kind == "general") return std::make_shared<nn::GeneralAttention>(dq, dk);
  return std::make_shared<nn::AdditiveAttention>(dq, dk, 5);
}

const char* const kKinds[] = {"dot", "scaled_dot", "general", "additive"};

}  // namespace

TEST_CASE("attention score functions match a plain-loop reference, with and without a mask") {
  const int64_t batch = 3, n = 4;
  const Tensor mask = Tensor::from_vector({0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1}, {batch, n});
  for (const std::string kind : kKinds) {
    CAPTURE(kind);
    const int64_t dq = (kind == "dot" || kind == "scaled_dot") ? 6 : 3, dk = 6;
    auto att = make(kind, dq, dk);
    const Tensor q = Tensor::randn({batch, dq}), keys = Tensor::randn({batch, n, dk});
    const Tensor values = Tensor::randn({batch, n, 2});
    const std::vector<double> e = reference_scores(kind, q, keys, *att);
    for (bool masked : {false, true}) {
      const nn::AttentionOutput out = att->forward(q, keys, values, masked ? mask : Tensor());
      REQUIRE(out.context.shape() == Shape{batch, 2});
      REQUIRE(out.weights.shape() == Shape{batch, n});
      const auto w = out.weights.to_vector(), c = out.context.to_vector();
      const auto mv = mask.to_vector(), vv = values.to_vector();
      for (int64_t b = 0; b < batch; ++b) {
        double top = -1e300, total = 0.0;
        for (int64_t i = 0; i < n; ++i)
          if (!masked || mv[b * n + i] == 0) top = std::max(top, e[b * n + i]);
        for (int64_t i = 0; i < n; ++i)
          if (!masked || mv[b * n + i] == 0) total += std::exp(e[b * n + i] - top);
        double ctx[2] = {0.0, 0.0};
        for (int64_t i = 0; i < n; ++i) {
          const bool off = masked && mv[b * n + i] != 0;
          const double a = off ? 0.0 : std::exp(e[b * n + i] - top) / total;
          CHECK(w[b * n + i] == doctest::Approx(a).epsilon(1e-5));
          if (off) CHECK(w[b * n + i] == 0.0f);  // exactly zero
          for (int j = 0; j < 2; ++j) ctx[j] += a * vv[(b * n + i) * 2 + j];
        }
        for (int j = 0; j < 2; ++j) CHECK(c[b * 2 + j] == doctest::Approx(ctx[j]).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("attention gradients match finite differences (q, keys, values, parameters)") {
  const Tensor mask = Tensor::from_vector({0, 0, 1, 0, 0, 0}, {2, 3});
  for (const std::string kind : kKinds) {
    CAPTURE(kind);
    const int64_t dq = (kind == "dot" || kind == "scaled_dot") ? 4 : 3, dk = 4;
    auto att = make(kind, dq, dk);
    const Tensor q = Tensor::randn({2, dq}, true), keys = Tensor::randn({2, 3, dk}, true);
    const Tensor values = Tensor::randn({2, 3, 2}, true);
    std::vector<Tensor> inputs{q, keys, values};
    for (const Tensor& p : att->parameters()) inputs.push_back(p);
    const auto f = [&](const std::vector<Tensor>& in) {
      const nn::AttentionOutput o = att->forward(in[0], in[1], in[2], mask);
      return cat({o.context, o.weights}, 1);  // both outputs are differentiable
    };
    const GradcheckResult r = gradcheck(f, inputs);
    CHECK_MESSAGE(r.ok, r.message);
    // values default to keys: both paths reach keys.
    const auto g = [&](const std::vector<Tensor>& in) {
      return att->forward(in[0], in[1]).context;
    };
    const GradcheckResult r2 = gradcheck(g, {q, keys});
    CHECK_MESSAGE(r2.ok, r2.message);
  }
}

TEST_CASE("masked keys get zero weight and zero gradient") {
  nn::AdditiveAttention att(3, 4, 5);
  const Tensor q = Tensor::randn({2, 3}, true), keys = Tensor::randn({2, 4, 4}, true);
  const Tensor mask = Tensor::from_vector({0, 1, 0, 1, 0, 0, 0, 1}, {2, 4});
  const nn::AttentionOutput o = att.forward(q, keys, Tensor(), mask);
  const auto w = o.weights.to_vector();
  CHECK(w[1] == 0.0f);
  CHECK(w[3] == 0.0f);
  CHECK(w[7] == 0.0f);
  CHECK(w[0] + w[2] == doctest::Approx(1.0f));
  sum(o.context).backward();
  const auto dk = keys.grad().to_vector();
  for (int64_t j = 0; j < 4; ++j) {
    CHECK(dk[1 * 4 + j] == 0.0f);
    CHECK(dk[3 * 4 + j] == 0.0f);
    CHECK(dk[7 * 4 + j] == 0.0f);
  }
}

TEST_CASE("precompute_keys + attend equals forward, as a decoder step uses it") {
  for (const std::string kind : kKinds) {
    CAPTURE(kind);
    auto att = make(kind, 4, 4);
    const Tensor keys = Tensor::randn({2, 5, 4}), values = Tensor::randn({2, 5, 3});
    const Tensor mask = Tensor::from_vector({0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, {2, 5});
    const Tensor pre = att->precompute_keys(keys);
    for (int step = 0; step < 3; ++step) {
      const Tensor q = Tensor::randn({2, 4});
      const auto a = att->forward(q, keys, values, mask);
      const auto b = att->attend(q, pre, values, mask);
      const auto ca = a.context.to_vector(), cb = b.context.to_vector();
      for (size_t i = 0; i < ca.size(); ++i) CHECK(cb[i] == doctest::Approx(ca[i]).epsilon(1e-5));
    }
  }
  nn::AdditiveAttention add(4, 6, 7);
  CHECK(add.precompute_keys(Tensor::randn({2, 5, 6})).shape() == Shape{2, 5, 7});
  nn::GeneralAttention gen(3, 6);
  CHECK(gen.precompute_keys(Tensor::randn({2, 5, 6})).shape() == Shape{2, 5, 3});
}

TEST_CASE("attention parameters have the papers' names, shapes and uniform(1/sqrt(fan_in)) init") {
  nn::AdditiveAttention add(50, 200, 30);
  const auto p = add.named_parameters();
  REQUIRE(p.size() == 3);
  CHECK(p[0].first == "W_q");
  CHECK(p[0].second.shape() == Shape{30, 50});
  CHECK(p[1].first == "W_k");
  CHECK(p[1].second.shape() == Shape{30, 200});
  CHECK(p[2].first == "v");
  CHECK(p[2].second.shape() == Shape{30});
  const float bounds[] = {1.0f / std::sqrt(50.0f), 1.0f / std::sqrt(200.0f),
                          1.0f / std::sqrt(30.0f)};
  const auto top = [](const Tensor& t) {
    float m = 0.0f;
    for (float v : t.to_vector()) m = std::max(m, std::abs(v));
    return m;
  };
  // The largest of n uniform draws stays below 0.7 of the bound with probability 0.7^n: 2e-5 for
  // v's 30 (0.9 failed 4% of streams); a wrong fan-in (200 for v's 30) lands at 0.39.
  for (size_t i = 0; i < 3; ++i) {
    CHECK(top(p[i].second) <= bounds[i]);
    CHECK(top(p[i].second) > 0.7f * bounds[i]);
  }
  nn::GeneralAttention gen(40, 100);
  REQUIRE(gen.named_parameters().size() == 1);
  CHECK(gen.named_parameters()[0].first == "W");
  CHECK(gen.weight().shape() == Shape{40, 100});
  CHECK(top(gen.weight()) <= 0.1f);
  CHECK(top(gen.weight()) > 0.09f);
  CHECK(nn::DotAttention().named_parameters().empty());
}

TEST_CASE("attention errors name the module and every shape") {
  nn::DotAttention dot;
  nn::AdditiveAttention add(3, 4, 5);
  nn::GeneralAttention gen(3, 4);
  const Tensor q = Tensor::randn({2, 3}), keys = Tensor::randn({2, 5, 4});
  CHECK_THROWS_WITH_AS(dot.forward(Tensor::randn({2, 3, 1}), keys),
                       doctest::Contains("[dot_attention] shapes do not fit: q (2, 3, 1), keys "
                                         "(2, 5, 4), values (2, 5, 4), mask none"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(dot.forward(Tensor::randn({2, 4}), Tensor::randn({3, 5, 4})),
                       doctest::Contains("[dot_attention] shapes do not fit"), ember::Error);
  CHECK_THROWS_WITH_AS(dot.forward(q, keys),
                       doctest::Contains("keys (2, 5, 4), values (2, 5, 4), mask none; expected q "
                                         "(B, d_q), keys (B, n, 3)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(add.forward(q, Tensor::randn({2, 5, 6})),
                       doctest::Contains("expected q (B, d_q) with d_q = 3, keys (B, n, 4)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      add.precompute_keys(Tensor::randn({2, 5, 6})),
      doctest::Contains("[additive_attention] keys must be (B, n, d_k) with d_k = 4, "
                        "got (2, 5, 6)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(gen.forward(Tensor::randn({2, 4}), keys),
                       doctest::Contains("[general_attention] shapes do not fit: q (2, 4)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(add.forward(q, keys, Tensor::randn({2, 4, 2})),
                       doctest::Contains("values (2, 4, 2)"), ember::Error);
  CHECK_THROWS_WITH_AS(add.forward(q, keys, Tensor(), Tensor::zeros({2, 4})),
                       doctest::Contains("[additive_attention] shapes do not fit: q (2, 3), keys "
                                         "(2, 5, 4), values (2, 5, 4), mask (2, 4)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      add.attend(q, keys, keys),
      doctest::Contains("precomputed keys (2, 5, 4), values (2, 5, 4), mask none; "
                        "expected q (B, d_q) with d_q = 3, precomputed keys (B, n, 5)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(add.attend(q, add.precompute_keys(keys), Tensor()),
                       doctest::Contains("[additive_attention] attend() needs the values"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      nn::AdditiveAttention(3, 0, 5),
      doctest::Contains("[additive_attention] d_q, d_k and d_att must be positive"), ember::Error);
  CHECK_THROWS_WITH_AS(nn::GeneralAttention(-1, 2),
                       doctest::Contains("[general_attention] d_q and d_k must be positive"),
                       ember::Error);
}
