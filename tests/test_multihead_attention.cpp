#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/multihead_attention.h"
#include "support/check.h"
#include "support/masks.h"

using namespace ember;
using testing::check_abs_close;
using testing::padding_mask;

namespace {

// The spec's formula (golden README 6.6) with plain ops, one head at a time.
Tensor reference(const nn::MultiheadAttention& m, const Tensor& query, const Tensor& key,
                 const Tensor& value, const NDArray& mask /* (B, T, S) or undefined */,
                 Tensor* weights = nullptr) {
  const int64_t e = m.embed_dim(), heads = m.num_heads(), d = e / heads;
  const Tensor& w = m.in_proj_weight();
  const Tensor& b = m.in_proj_bias();
  const auto proj = [&](const Tensor& x, int64_t i) {
    return linear(x, narrow(w, 0, i * e, e), b.defined() ? narrow(b, 0, i * e, e) : Tensor());
  };
  const Tensor q = proj(query, 0), k = proj(key, 1), v = proj(value, 2);
  std::vector<Tensor> outs, probs;
  for (int64_t h = 0; h < heads; ++h) {
    Tensor s = matmul(narrow(q, 2, h * d, d), transpose(narrow(k, 2, h * d, d), 1, 2));
    s = s * (1.0f / std::sqrt(static_cast<float>(d)));
    if (mask.defined()) s = masked_fill(s, Tensor(mask), -std::numeric_limits<float>::infinity());
    const Tensor a = softmax(s, -1);
    probs.push_back(a);
    outs.push_back(matmul(a, narrow(v, 2, h * d, d)));
  }
  if (weights != nullptr) *weights = mean(stack(probs, 1), {1});
  return m.out_proj().forward(cat(outs, 2));
}

// (B, T, S) union of a key padding mask given by lengths and an optional causal mask.
NDArray union_mask(int64_t batch, int64_t t, int64_t s, const std::vector<int64_t>& lengths,
                   bool causal) {
  NDArray m = NDArray::zeros({batch, t, s});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < t; ++i)
      for (int64_t j = 0; j < s; ++j)
        if (j >= lengths[b] || (causal && j > i)) m.data()[(b * t + i) * s + j] = 1.0f;
  return m;
}

}  // namespace

TEST_CASE("MultiheadAttention has torch's parameters, layouts and initialisation") {
  nn::MultiheadAttention m(64, 4);
  const auto p = m.named_parameters();
  REQUIRE(p.size() == 4);
  CHECK(p[0].first == "in_proj_weight");
  CHECK(p[0].second.shape() == Shape{192, 64});
  CHECK(p[1].first == "in_proj_bias");
  CHECK(p[1].second.shape() == Shape{192});
  CHECK(p[2].first == "out_proj.weight");
  CHECK(p[2].second.shape() == Shape{64, 64});
  CHECK(p[3].first == "out_proj.bias");
  const auto top = [](const Tensor& t) {
    float v = 0.0f;
    for (float x : t.to_vector()) v = std::max(v, std::abs(x));
    return v;
  };
  const float xavier = std::sqrt(6.0f / (64 + 192));
  CHECK(top(m.in_proj_weight()) <= xavier);
  CHECK(top(m.in_proj_weight()) > 0.95f * xavier);
  CHECK(top(m.out_proj().weight()) <= 1.0f / 8.0f);
  CHECK(top(m.out_proj().weight()) > 0.95f / 8.0f);
  CHECK(top(m.in_proj_bias()) == 0.0f);
  CHECK(top(m.out_proj().bias()) == 0.0f);

  nn::MultiheadAttention nb(6, 2, {.bias = false});
  CHECK(nb.named_parameters().size() == 2);
  CHECK(!nb.in_proj_bias().defined());
}

TEST_CASE("MultiheadAttention matches the per-head formula: self, memory and separate k/v") {
  nn::MultiheadAttention m(8, 4);
  for (const Tensor& p : m.parameters()) p.data().copy_(Tensor::randn(p.shape()).data());
  const Tensor x = Tensor::randn({2, 5, 8}), mem = Tensor::randn({2, 3, 8});
  const Tensor val = Tensor::randn({2, 3, 8});
  const Tensor kpm = padding_mask(5, {5, 3}), causal = nn::causal_mask(5);

  Tensor want_w;
  auto got = m.forward(x, x, x, {.key_padding_mask = kpm, .attn_mask = causal});
  check_abs_close(got.output, reference(m, x, x, x, union_mask(2, 5, 5, {5, 3}, true), &want_w));
  check_abs_close(got.weights, want_w);

  got = m.forward(x, mem, mem, {.key_padding_mask = padding_mask(3, {1, 3})});
  check_abs_close(got.output,
                  reference(m, x, mem, mem, union_mask(2, 5, 3, {1, 3}, false), &want_w));
  check_abs_close(got.weights, want_w);

  got = m.forward(x, mem, val, {.need_weights = false});
  check_abs_close(got.output, reference(m, x, mem, val, NDArray()));
  CHECK(!got.weights.defined());
}

TEST_CASE("masked keys get exactly zero weight; weights are a distribution over keys") {
  nn::MultiheadAttention m(6, 3);
  const Tensor x = Tensor::randn({3, 4, 6});
  const Tensor kpm = padding_mask(4, {4, 2, 1});
  const auto out = m.forward(x, x, x, {.key_padding_mask = kpm, .attn_mask = nn::causal_mask(4)});
  const auto w = out.weights.to_vector();
  const std::vector<int64_t> lengths{4, 2, 1};
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t t = 0; t < 4; ++t) {
      double total = 0.0;
      for (int64_t s = 0; s < 4; ++s) {
        const float v = w[(b * 4 + t) * 4 + s];
        if (s >= lengths[b] || s > t) CHECK(v == 0.0f);
        total += v;
      }
      CHECK(total == doctest::Approx(1.0));
    }
}

TEST_CASE("MultiheadAttention gradients match finite differences") {
  nn::MultiheadAttention m(4, 2);
  for (const Tensor& p : m.parameters()) p.data().copy_(Tensor::randn(p.shape()).data());
  const Tensor x = Tensor::randn({2, 3, 4}, true), mem = Tensor::randn({2, 4, 4}, true);
  std::vector<Tensor> params = m.parameters();
  const Tensor kpm = padding_mask(3, {3, 2});
  const auto self = [&](const std::vector<Tensor>& in) {
    const auto o =
        m.forward(in[0], in[0], in[0], {.key_padding_mask = kpm, .attn_mask = nn::causal_mask(3)});
    return cat({o.output.reshape({2, -1}), o.weights.reshape({2, -1})}, 1);
  };
  std::vector<Tensor> inputs{x};
  inputs.insert(inputs.end(), params.begin(), params.end());
  GradcheckResult r = gradcheck(self, inputs);
  CHECK_MESSAGE(r.ok, r.message);

  const Tensor kpm2 = padding_mask(4, {2, 4});
  const auto cross = [&](const std::vector<Tensor>& in) {
    return m.forward(in[0], in[1], in[1], {.key_padding_mask = kpm2}).output;
  };
  inputs = {x, mem};
  inputs.insert(inputs.end(), params.begin(), params.end());
  r = gradcheck(cross, inputs);
  CHECK_MESSAGE(r.ok, r.message);

  const Tensor val = Tensor::randn({2, 4, 4}, true);
  const auto separate = [&](const std::vector<Tensor>& in) {
    return m.forward(in[0], in[1], in[2]).output;
  };
  r = gradcheck(separate, {x, mem, val});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("decoding one position at a time with a KVCache equals the full causal pass") {
  nn::MultiheadAttention m(8, 2);
  m.eval();
  for (const Tensor& p : m.parameters()) p.data().copy_(Tensor::randn(p.shape()).data());
  const int64_t t = 6;
  const Tensor x = Tensor::randn({2, t, 8});
  NoGradGuard no_grad;
  const Tensor full = m.forward(x, x, x, {.attn_mask = nn::causal_mask(t)}).output;

  nn::KVCache cache;
  std::vector<Tensor> steps;
  for (int64_t i = 0; i < t; ++i) steps.push_back(m.forward_incremental(narrow(x, 1, i, 1), cache));
  CHECK(cache.length() == t);
  check_abs_close(cat(steps, 1), full);

  nn::KVCache chunked;  // chunks of 2, 3, 1 positions: causal inside each chunk
  std::vector<Tensor> parts{m.forward_incremental(narrow(x, 1, 0, 2), chunked),
                            m.forward_incremental(narrow(x, 1, 2, 3), chunked),
                            m.forward_incremental(narrow(x, 1, 5, 1), chunked)};
  check_abs_close(cat(parts, 1), full);
}

TEST_CASE("a projected memory equals attending over the memory itself") {
  nn::MultiheadAttention m(8, 4);
  for (const Tensor& p : m.parameters()) p.data().copy_(Tensor::randn(p.shape()).data());
  const Tensor q = Tensor::randn({3, 2, 8}), mem = Tensor::randn({3, 5, 8});
  const Tensor kpm = padding_mask(5, {5, 1, 3});
  NoGradGuard no_grad;
  const nn::KVCache projected = m.project_memory(mem);
  CHECK(projected.length() == 5);
  check_abs_close(m.forward_cached(q, projected, kpm),
                  m.forward(q, mem, mem, {.key_padding_mask = kpm}).output);
  check_abs_close(m.forward_cached(q, projected), m.forward(q, mem, mem).output);
}

TEST_CASE("KVCache reorder follows beam rows, and append grows the storage") {
  nn::MultiheadAttention m(4, 2);
  const Tensor x = Tensor::randn({2, 4, 4});
  NoGradGuard no_grad;
  nn::KVCache cache;
  m.forward_incremental(narrow(x, 1, 0, 1), cache);
  m.forward_incremental(narrow(x, 1, 1, 1), cache);
  const IndexArray rows({1, 0, 1});
  cache.reorder(rows);
  CHECK(cache.keys().shape() == Shape{3, 2, 4});
  // Continue with the reordered batch: equals the full pass over the reordered inputs.
  const Tensor xr = index_select(x, 0, rows);
  const Tensor y2 = m.forward_incremental(narrow(xr, 1, 2, 1), cache);
  const Tensor y3 = m.forward_incremental(narrow(xr, 1, 3, 1), cache);
  const Tensor full = m.forward(xr, xr, xr, {.attn_mask = nn::causal_mask(4)}).output;
  check_abs_close(cat({y2, y3}, 1), narrow(full, 1, 2, 2));
  cache.clear();
  CHECK(cache.empty());
}

TEST_CASE("causal_mask is 1 strictly above the diagonal") {
  CHECK(nn::causal_mask(3).to_vector() == std::vector<float>{0, 1, 1, 0, 0, 1, 0, 0, 0});
  CHECK(nn::causal_mask(0).numel() == 0);
}

TEST_CASE("MultiheadAttention errors name [multihead_attention] and the shapes") {
  CHECK_THROWS_WITH_AS(nn::MultiheadAttention(10, 3),
                       doctest::Contains("[multihead_attention] embed_dim 10 is not divisible by "
                                         "num_heads 3"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::MultiheadAttention(0, 1), doctest::Contains("must be positive"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::MultiheadAttention(4, 2, {.dropout = 1.0f}),
                       doctest::Contains("[multihead_attention] dropout 1 outside [0, 1)"),
                       ember::Error);
  nn::MultiheadAttention m(4, 2);
  const Tensor x = Tensor::randn({2, 3, 4});
  CHECK_THROWS_WITH_AS(
      m.forward(Tensor::randn({3, 4}), x, x),
      doctest::Contains("[multihead_attention] query must be (B, L, 4), got (3, 4)"), ember::Error);
  CHECK_THROWS_WITH_AS(m.forward(x, Tensor::randn({2, 3, 5}), x),
                       doctest::Contains("key must be (B, L, 4), got (2, 3, 5)"), ember::Error);
  CHECK_THROWS_WITH_AS(m.forward(x, x, Tensor::randn({2, 2, 4})),
                       doctest::Contains("query (2, 3, 4), key (2, 3, 4) and value (2, 2, 4)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(m.forward(x, Tensor::randn({1, 3, 4}), Tensor::randn({1, 3, 4})),
                       doctest::Contains("[multihead_attention] query (2, 3, 4), key (1, 3, 4)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(m.forward(x, x, x, {.key_padding_mask = Tensor::zeros({2, 4})}),
                       doctest::Contains("key_padding_mask (2, 4) must be (B, S) = (2, 3)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(m.forward(x, x, x, {.attn_mask = Tensor::zeros({2, 3, 3})}),
                       doctest::Contains("attn_mask (2, 3, 3) must be (T, S) = (3, 3)"),
                       ember::Error);
  nn::KVCache cache;
  CHECK_THROWS_WITH_AS(m.forward_incremental(x, cache),
                       doctest::Contains("[multihead_attention] forward_incremental is for "
                                         "inference: run it under NoGradGuard"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(m.project_memory(x), doctest::Contains("project_memory is for inference"),
                       ember::Error);
  NoGradGuard no_grad;
  m.forward_incremental(x, cache);
  CHECK_THROWS_WITH_AS(
      m.forward_incremental(Tensor::randn({3, 1, 4}), cache),
      doctest::Contains("query (3, 1, 4) does not match the cache's keys (2, 3, 4)"), ember::Error);
  CHECK_THROWS_WITH_AS(m.forward_cached(x, nn::KVCache()),
                       doctest::Contains("query (2, 3, 4) does not match the projected memory "
                                         "(empty)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(m.forward_cached(x, cache, Tensor::zeros({2, 5})),
                       doctest::Contains("key_padding_mask (2, 5) must be (B, S) = (2, 3)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(cache.append(NDArray::zeros({2, 1, 5}), NDArray::zeros({2, 1, 5})),
                       doctest::Contains("[kv_cache] cannot append keys (2, 1, 5) and values "
                                         "(2, 1, 5) to a cache of (2, 3, 4)"),
                       ember::Error);
}

TEST_CASE("KVCache reorder checks its index") {
  nn::KVCache cache;
  cache.append(NDArray::zeros({2, 3, 4}), NDArray::zeros({2, 3, 4}));
  CHECK_THROWS_WITH_AS(cache.reorder(IndexArray({0, 5})),
                       doctest::Contains("[kv_cache] reorder index 5 out of range for a batch of 2"),
                       Error);
  CHECK_THROWS_WITH_AS(cache.reorder(IndexArray({0, 1}, {1, 2})),
                       doctest::Contains("[kv_cache] reorder index must be 1-D"), Error);
  cache.reorder(IndexArray({1, 1, 0}));
  CHECK(cache.keys().shape() == Shape{3, 3, 4});
}
