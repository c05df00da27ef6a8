#include "ember/layers/attention.h"

#include <cmath>

#include "ember/autograd/ops/attention.h"
#include "ember/autograd/ops/linear_algebra.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/layers/init.h"

namespace ember::nn {
namespace {

std::string shape_or_none(const Tensor& t) {
  return t.defined() ? core::shape_str(t.shape()) : std::string("none");
}

// A parameter of this shape drawn uniform +-1/sqrt(fan_in), fan_in = size(1) (size(0) for 1-D).
Tensor uniform_fan_in(const Shape& shape) {
  Tensor t = Tensor::zeros(shape);
  init::uniform_(t, init::bias_bound(init::fan_in(shape)));
  return t;
}

}  // namespace

// ---- the common interface -----------------------------------------------------------------------

void Attention::check_keys(const Tensor& keys, int64_t d_k) const {
  EMBER_CHECK(keys.defined() && keys.dim() == 3 && (d_k < 0 || keys.size(2) == d_k),
              "[{}] keys must be (B, n, d_k){}, got {}", name_,
              d_k < 0 ? std::string() : fmt::format(" with d_k = {}", d_k), shape_or_none(keys));
}

Tensor Attention::precompute_keys(const Tensor& keys) const {
  check_keys(keys, -1);
  return keys;
}

void Attention::check_shapes(const char* keys_name, const Tensor& q, const Tensor& keys,
                             const Tensor& values, const Tensor& mask, bool precomputed) const {
  const bool ok_q = q.defined() && q.dim() == 2 && (query_dim() < 0 || q.size(1) == query_dim());
  const int64_t width = ok_q ? (precomputed ? precomputed_dim(q.size(1)) : key_dim(q.size(1))) : -1;
  const bool ok_k = ok_q && keys.defined() && keys.dim() == 3 && keys.size(0) == q.size(0) &&
                    keys.size(2) == width;
  const bool ok_v = ok_k && values.defined() && values.dim() == 3 &&
                    values.size(0) == keys.size(0) && values.size(1) == keys.size(1);
  const bool ok_m =
      !mask.defined() || (ok_v && (mask.shape() == Shape{keys.size(0), keys.size(1)}));
  EMBER_CHECK(ok_q && ok_k && ok_v && ok_m,
              "[{}] shapes do not fit: q {}, {} {}, values {}, mask {}; expected q (B, d_q){}, "
              "{} (B, n, {}), values (B, n, d_v), mask (B, n)",
              name_, shape_or_none(q), keys_name, shape_or_none(keys), shape_or_none(values),
              shape_or_none(mask),
              query_dim() < 0 ? "" : fmt::format(" with d_q = {}", query_dim()), keys_name,
              width < 0 ? std::string("d_k") : fmt::to_string(width));
}

AttentionOutput Attention::forward(const Tensor& q, const Tensor& keys, const Tensor& values,
                                   const Tensor& mask) const {
  const Tensor& v = values.defined() ? values : keys;
  check_shapes("keys", q, keys, v, mask, false);
  return finish(q, precompute_keys(keys), v, mask);
}

AttentionOutput Attention::attend(const Tensor& q, const Tensor& precomputed, const Tensor& values,
                                  const Tensor& mask) const {
  EMBER_CHECK(values.defined(), "[{}] attend() needs the values (B, n, d_v) explicitly", name_);
  check_shapes("precomputed keys", q, precomputed, values, mask, true);
  return finish(q, precomputed, values, mask);
}

Tensor Attention::scores(const Tensor& q, const Tensor& precomputed) const {
  // e = K q, one batched product: (B, n, d) @ (B, d, 1) -> (B, n)
  return squeeze(matmul(precomputed, unsqueeze(q, -1)), -1);
}

AttentionOutput Attention::finish(const Tensor& q, const Tensor& pre, const Tensor& values,
                                  const Tensor& mask) const {
  const Tensor e = scores(q, pre);
  const Tensor alpha =
      masked_softmax(e, mask.defined() ? mask.data() : NDArray(), scale(pre.size(2)));
  // c = sum_i alpha_i v_i: (B, 1, n) @ (B, n, d_v) -> (B, d_v)
  return {squeeze(matmul(unsqueeze(alpha, 1), values), 1), alpha};
}

// ---- the four score functions -------------------------------------------------------------------

float ScaledDotAttention::scale(int64_t d_k) const {
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(d_k)));
}

GeneralAttention::GeneralAttention(int64_t d_q, int64_t d_k)
    : Attention("general_attention"), d_q_(d_q), d_k_(d_k) {
  EMBER_CHECK(d_q > 0 && d_k > 0, "[general_attention] d_q and d_k must be positive, got ({}, {})",
              d_q, d_k);
  w_ = register_parameter("W", uniform_fan_in({d_q, d_k}));
}

// W k_i for every key: keys (B, n, d_k) @ W^T -> (B, n, d_q), then e_i = q . (W k_i).
Tensor GeneralAttention::precompute_keys(const Tensor& keys) const {
  check_keys(keys, d_k_);
  return linear(keys, w_);
}

AdditiveAttention::AdditiveAttention(int64_t d_q, int64_t d_k, int64_t d_att)
    : Attention("additive_attention"), d_q_(d_q), d_k_(d_k), d_att_(d_att) {
  EMBER_CHECK(d_q > 0 && d_k > 0 && d_att > 0,
              "[additive_attention] d_q, d_k and d_att must be positive, got ({}, {}, {})", d_q,
              d_k, d_att);
  w_q_ = register_parameter("W_q", uniform_fan_in({d_att, d_q}));
  w_k_ = register_parameter("W_k", uniform_fan_in({d_att, d_k}));
  v_ = register_parameter("v", uniform_fan_in({d_att}));
}

// W_k k_i for every key: (B, n, d_k) -> (B, n, d_att), one GEMM.
Tensor AdditiveAttention::precompute_keys(const Tensor& keys) const {
  check_keys(keys, d_k_);
  return linear(keys, w_k_);
}

Tensor AdditiveAttention::scores(const Tensor& q, const Tensor& precomputed) const {
  return additive_scores(linear(q, w_q_), precomputed, v_);
}

}  // namespace ember::nn
