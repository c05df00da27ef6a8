#include "ember/layers/multihead_attention.h"

#include <algorithm>
#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/attention.h"
#include "ember/autograd/ops/linear_algebra.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/reduction.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/elementwise.h"
#include "ember/core/error.h"
#include "ember/core/indexing.h"
#include "ember/layers/init.h"

namespace ember::nn {
namespace {

std::string shape_of(const Tensor& t) {
  return t.defined() ? core::shape_str(t.shape()) : std::string("none");
}

}  // namespace

// ---- KVCache ----------------------------------------------------------------------------------

NDArray KVCache::keys() const { return k_.narrow(1, 0, length_); }
NDArray KVCache::values() const { return v_.narrow(1, 0, length_); }

void KVCache::append(const NDArray& k, const NDArray& v) {
  EMBER_CHECK(k.dim() == 3 && k.shape() == v.shape() &&
                  (!k_.defined() || (k.size(0) == k_.size(0) && k.size(2) == k_.size(2))),
              "[kv_cache] cannot append keys {} and values {} to a cache of {}",
              core::shape_str(k.shape()), core::shape_str(v.shape()),
              k_.defined() ? core::shape_str(keys().shape()) : std::string("nothing"));
  const int64_t add = k.size(1), capacity = k_.defined() ? k_.size(1) : 0;
  if (length_ + add > capacity) {  // grow by doubling, keeping what is there
    const Shape shape{k.size(0), std::max(2 * capacity, length_ + add), k.size(2)};
    NDArray nk = NDArray::empty(shape), nv = NDArray::empty(shape);
    if (length_ > 0) {
      nk.narrow(1, 0, length_).copy_(keys());
      nv.narrow(1, 0, length_).copy_(values());
    }
    k_ = nk;
    v_ = nv;
  }
  k_.narrow(1, length_, add).copy_(k);
  v_.narrow(1, length_, add).copy_(v);
  length_ += add;
}

void KVCache::reorder(const IndexArray& index) {
  if (!k_.defined()) return;
  EMBER_CHECK(index.dim() == 1, "[kv_cache] reorder index must be 1-D, got {}",
              core::shape_str(index.shape()));
  // New rows keep the capacity, so the next append does not reallocate; one copy of each kept row.
  const Shape shape{index.numel(), k_.size(1), k_.size(2)};
  NDArray nk = NDArray::empty(shape), nv = NDArray::empty(shape);
  for (int64_t i = 0; i < index.numel(); ++i) {
    EMBER_CHECK(index[i] >= 0 && index[i] < k_.size(0),
                "[kv_cache] reorder index {} out of range for a batch of {}", index[i], k_.size(0));
    nk.select(0, i).narrow(0, 0, length_).copy_(keys().select(0, index[i]));
    nv.select(0, i).narrow(0, 0, length_).copy_(values().select(0, index[i]));
  }
  k_ = nk;
  v_ = nv;
}

void KVCache::clear() {
  k_ = v_ = NDArray();
  length_ = 0;
}

Tensor causal_mask(int64_t size) {
  EMBER_CHECK(size >= 0, "[causal_mask] size must be >= 0, got {}", size);
  NDArray m = NDArray::zeros({size, size});
  for (int64_t t = 0; t < size; ++t)
    for (int64_t s = t + 1; s < size; ++s) m.data()[t * size + s] = 1.0f;
  return Tensor(m);
}

// ---- MultiheadAttention -----------------------------------------------------------------------

MultiheadAttention::MultiheadAttention(int64_t embed_dim, int64_t num_heads,
                                       MultiheadAttentionOptions options)
    : embed_dim_(embed_dim), num_heads_(num_heads), dropout_(options.dropout) {
  EMBER_CHECK(embed_dim > 0 && num_heads > 0,
              "[multihead_attention] embed_dim {} and num_heads {} must be positive", embed_dim,
              num_heads);
  EMBER_CHECK(embed_dim % num_heads == 0,
              "[multihead_attention] embed_dim {} is not divisible by num_heads {}", embed_dim,
              num_heads);
  EMBER_CHECK(dropout_ >= 0.0f && dropout_ < 1.0f,
              "[multihead_attention] dropout {} outside [0, 1)", dropout_);
  const int64_t e = embed_dim;
  in_proj_weight_ = register_parameter("in_proj_weight", Tensor::zeros({3 * e, e}));
  // xavier_uniform_ (Glorot & Bengio, 2010): U(-a, a), a = sqrt(6 / (fan_in + fan_out))
  init::uniform_(in_proj_weight_, static_cast<float>(std::sqrt(6.0 / static_cast<double>(4 * e))));
  if (options.bias) in_proj_bias_ = register_parameter("in_proj_bias", Tensor::zeros({3 * e}));
  out_proj_ = register_module("out_proj", std::make_shared<Linear>(e, e, options.bias));
  if (options.bias) init::zeros_(out_proj_->bias());
}

void MultiheadAttention::check_input(const char* what, const Tensor& x) const {
  EMBER_CHECK(x.defined() && x.dim() == 3 && x.size(2) == embed_dim_,
              "[multihead_attention] {} must be (B, L, {}), got {}", what, embed_dim_, shape_of(x));
}

void MultiheadAttention::check_inference(const char* what) const {
  EMBER_CHECK(!is_grad_enabled(),
              "[multihead_attention] {} is for inference: run it under NoGradGuard (a KVCache "
              "keeps no gradient)",
              what);
}

void MultiheadAttention::quantize_int8() {
  in_proj_int8_ = quantize_weight(in_proj_weight_, "multihead_attention");
  Module::quantize_int8();
}

Tensor MultiheadAttention::project(const Tensor& x, int64_t first, int64_t count) const {
  const int64_t e = embed_dim_;
  if (in_proj_int8_)  // one scale per output row, so any block of rows is quantized on its own
    return quantized_linear(
        x, *in_proj_int8_, first * e, count * e,
        in_proj_bias_.defined() ? narrow(in_proj_bias_, 0, first * e, count * e) : Tensor(),
        "multihead_attention");
  if (count == 3) return linear(x, in_proj_weight_, in_proj_bias_);
  return linear(
      x, narrow(in_proj_weight_, 0, first * e, count * e),
      in_proj_bias_.defined() ? narrow(in_proj_bias_, 0, first * e, count * e) : Tensor());
}

std::pair<Tensor, Tensor> MultiheadAttention::attend(const Tensor& q, const Tensor& k,
                                                     const Tensor& v, const NDArray& mask) const {
  const double head_dim = static_cast<double>(embed_dim_ / num_heads_);
  Tensor p = attention_probs(q, k, num_heads_, mask, static_cast<float>(1.0 / std::sqrt(head_dim)));
  p = dropout(p, dropout_, is_training());
  return {attend_values(p, v), p};
}

MultiheadAttentionOutput MultiheadAttention::forward(const Tensor& query, const Tensor& key,
                                                     const Tensor& value,
                                                     const MultiheadAttentionArgs& args) const {
  check_input("query", query);
  check_input("key", key);
  check_input("value", value);
  const int64_t batch = query.size(0), t = query.size(1), s = key.size(1), e = embed_dim_;
  EMBER_CHECK(key.size(0) == batch && value.shape() == key.shape(),
              "[multihead_attention] query {}, key {} and value {} must be (B, T, E), (B, S, E), "
              "(B, S, E)",
              shape_of(query), shape_of(key), shape_of(value));
  const Tensor& kpm = args.key_padding_mask;
  const Tensor& am = args.attn_mask;
  EMBER_CHECK(!kpm.defined() || (kpm.shape() == Shape{batch, s}),
              "[multihead_attention] key_padding_mask {} must be (B, S) = ({}, {})", shape_of(kpm),
              batch, s);
  EMBER_CHECK(!am.defined() || (am.shape() == Shape{t, s}),
              "[multihead_attention] attn_mask {} must be (T, S) = ({}, {})", shape_of(am), t, s);
  Tensor q, k, v;
  if (query.impl() == key.impl() && key.impl() == value.impl()) {  // self-attention: one GEMM
    const Tensor qkv = project(query, 0, 3);
    q = narrow(qkv, 2, 0, e);
    k = narrow(qkv, 2, e, e);
    v = narrow(qkv, 2, 2 * e, e);
  } else if (key.impl() == value.impl()) {  // attention over a memory: q, then k and v together
    q = project(query, 0, 1);
    const Tensor kv = project(key, 1, 2);
    k = narrow(kv, 2, 0, e);
    v = narrow(kv, 2, e, e);
  } else {
    q = project(query, 0, 1);
    k = project(key, 1, 1);
    v = project(value, 2, 1);
  }
  // One mask broadcastable to the scores (B, H, T, S): the union of the two.
  NDArray mask;
  if (kpm.defined()) mask = kpm.data().reshape({batch, 1, 1, s});
  if (am.defined()) {
    const NDArray m = am.data().reshape({1, 1, t, s});
    mask = mask.defined() ? core::maximum(mask, m) : m;
  }
  auto [o, p] = attend(q, k, v, mask);
  MultiheadAttentionOutput out{out_proj_->forward(o), Tensor()};
  if (args.need_weights) out.weights = mean(p, {1});
  return out;
}

// ---- incremental decoding ---------------------------------------------------------------------

Tensor MultiheadAttention::forward_incremental(const Tensor& query, KVCache& cache) const {
  check_inference("forward_incremental");
  check_input("query", query);
  EMBER_CHECK(cache.empty() || cache.keys().size(0) == query.size(0),
              "[multihead_attention] query {} does not match the cache's keys {}", shape_of(query),
              core::shape_str(cache.keys().shape()));
  const int64_t e = embed_dim_, add = query.size(1);
  const Tensor qkv = project(query, 0, 3);
  cache.append(qkv.data().narrow(2, e, e), qkv.data().narrow(2, 2 * e, e));
  const int64_t len = cache.length(), before = len - add;
  NDArray mask;  // position t of the chunk sees cached positions s <= before + t
  if (add > 1) {
    mask = NDArray::zeros({1, 1, add, len});
    for (int64_t t = 0; t < add; ++t)
      for (int64_t s = before + t + 1; s < len; ++s) mask.data()[t * len + s] = 1.0f;
  }
  return out_proj_->forward(
      attend(narrow(qkv, 2, 0, e), Tensor(cache.keys()), Tensor(cache.values()), mask).first);
}

KVCache MultiheadAttention::project_memory(const Tensor& memory) const {
  check_inference("project_memory");
  check_input("memory", memory);
  const int64_t e = embed_dim_;
  const Tensor kv = project(memory, 1, 2);
  KVCache cache;
  cache.append(kv.data().narrow(2, 0, e), kv.data().narrow(2, e, e));
  return cache;
}

Tensor MultiheadAttention::forward_cached(const Tensor& query, const KVCache& memory,
                                          const Tensor& key_padding_mask) const {
  check_input("query", query);
  EMBER_CHECK(!memory.empty() && memory.keys().size(0) == query.size(0),
              "[multihead_attention] query {} does not match the projected memory {}",
              shape_of(query), memory.empty() ? "(empty)" : core::shape_str(memory.keys().shape()));
  const int64_t batch = query.size(0), s = memory.length();
  EMBER_CHECK(!key_padding_mask.defined() || (key_padding_mask.shape() == Shape{batch, s}),
              "[multihead_attention] key_padding_mask {} must be (B, S) = ({}, {})",
              shape_of(key_padding_mask), batch, s);
  const NDArray mask =
      key_padding_mask.defined() ? key_padding_mask.data().reshape({batch, 1, 1, s}) : NDArray();
  return out_proj_->forward(
      attend(project(query, 0, 1), Tensor(memory.keys()), Tensor(memory.values()), mask).first);
}

}  // namespace ember::nn
