#include "layers/attention.h"

#include <cmath>
#include <limits>

#include "autograd/node.h"
#include "autograd/ops/linear_algebra.h"
#include "autograd/ops/shape.h"
#include "core/error.h"
#include "core/threads.h"
#include "core/fast_math.h"
#include "core/lanes.h"
#include "core/reduce.h"
#include "layers/init.h"

namespace ember::nn {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

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

// ---- masked softmax ---------------------------------------------------------------------------

void masked_softmax_(const NDArray& x, const NDArray& mask, float scale) {
  EMBER_CHECK(x.dim() >= 1, "[masked_softmax] needs rank >= 1, got {}", core::shape_str(x.shape()));
  bool fits = !mask.defined() || mask.dim() <= x.dim();
  for (int64_t d = 1; fits && d <= mask.dim(); ++d)
    fits = mask.size(-d) == 1 || mask.size(-d) == x.size(-d);
  EMBER_CHECK(fits, "[masked_softmax] mask {} does not broadcast to scores {}",
              core::shape_str(mask.shape()), core::shape_str(x.shape()));
  const NDArray m =
      mask.defined() ? mask.expand(x.shape()) : NDArray::scalar(0.0f).expand(x.shape());
  core::for_each_lane<2>(
      x.shape(), x.dim() - 1, {&x, &m}, [scale](int64_t, int64_t n, auto p, auto s) {
        float top = kNegInf;
        for (int64_t j = 0; j < n; ++j) {
          float& v = p[0][j * s[0]];
          v = p[1][j * s[1]] != 0.0f ? kNegInf : v * scale;
          top = std::max(top, v);
        }
        double total = 0.0;  // top = -inf (every key masked) gives NaN below, as torch does
        for (int64_t j = 0; j < n; ++j) {
          float& v = p[0][j * s[0]];
          v = core::fast_exp(v - top);
          total += v;
        }
        const float inv = static_cast<float>(1.0 / total);
        for (int64_t j = 0; j < n; ++j) p[0][j * s[0]] *= inv;
      });
}

NDArray masked_softmax_backward(const NDArray& y, const NDArray& dy, float scale) {
  NDArray dx = NDArray::empty(y.shape());
  core::for_each_lane<3>(y.shape(), y.dim() - 1, {&dx, &y, &dy},
                         [scale](int64_t, int64_t n, auto p, auto s) {
                           double dot = 0.0;
                           for (int64_t j = 0; j < n; ++j)
                             dot += static_cast<double>(p[1][j * s[1]]) * p[2][j * s[2]];
                           const float d = static_cast<float>(dot);
                           for (int64_t j = 0; j < n; ++j)
                             p[0][j * s[0]] = scale * p[1][j * s[1]] * (p[2][j * s[2]] - d);
                         });
  return dx;
}

Tensor masked_softmax(const Tensor& x, const NDArray& mask, float scale) {
  NDArray y = x.data().clone();
  masked_softmax_(y, mask, scale);
  return make_result(y, "masked_softmax", {x}, [y, scale](const NDArray& dy, Gradients& g) {
    g.set(0, masked_softmax_backward(y, dy, scale));
  });
}

// ---- additive scores ----------------------------------------------------------------------------

namespace {

// v . tanh(k + q) over one key row of width a: eight partial sums, so the loop vectorises
// without reassociating one float sum.
float additive_row_score(int64_t a, const float* __restrict k, const float* __restrict q,
                         const float* __restrict v) {
  float partial[8] = {};
  int64_t j = 0;
  for (; j + 8 <= a; j += 8)
    for (int l = 0; l < 8; ++l) partial[l] += v[j + l] * core::fast_tanh(k[j + l] + q[j + l]);
  float total = 0.0f;
  for (; j < a; ++j) total += v[j] * core::fast_tanh(k[j] + q[j]);
  for (float p : partial) total += p;
  return total;
}

// One key row's backward for the upstream de_r = d: with t = tanh(k + q),
// dk = d v (1 - t^2), dq += dk, dv += d t.
void additive_row_backward(int64_t a, const float* __restrict k, const float* __restrict q,
                           const float* __restrict v, float d, float* __restrict dk,
                           float* __restrict dq, float* __restrict dv) {
  for (int64_t j = 0; j < a; ++j) {
    const float t = core::fast_tanh(k[j] + q[j]);
    dk[j] = d * v[j] * (1.0f - t * t);
    dq[j] += dk[j];
    dv[j] += d * t;
  }
}

}  // namespace

// e_r = v . tanh(q_b + k_r) for each key row r of batch b. Nothing (B, n, A) is kept for
// backward: it recomputes t = tanh(q + k) from the query and the keys (which the caller holds
// anyway), since d tanh(u) = 1 - tanh(u)^2. A decoder calling this at every step would
// otherwise keep one (B, n, A) array per step.
Tensor additive_scores(const Tensor& qp, const Tensor& kp, const Tensor& v) {
  EMBER_CHECK(qp.dim() == 2 && kp.dim() == 3 && v.dim() == 1 && kp.size(0) == qp.size(0) &&
                  kp.size(2) == qp.size(1) && v.size(0) == qp.size(1),
              "[additive_scores] expected qp (B, A), kp (B, n, A), v (A), got {}, {}, {}",
              core::shape_str(qp.shape()), core::shape_str(kp.shape()), core::shape_str(v.shape()));
  const int64_t batch = kp.size(0), n = kp.size(1), a = kp.size(2);
  const NDArray q = qp.data().contiguous(), k = kp.data().contiguous(), w = v.data().contiguous();
  NDArray e = NDArray::empty({batch, n});
  core::parallel_for(batch * n, batch * n * a >= core::kParallelElements, [&](int64_t r) {
    e.data()[r] = additive_row_score(a, k.data() + r * a, q.data() + (r / n) * a, w.data());
  });
  return make_result(e, "additive_scores", {qp, kp, v}, [q, k, w](const NDArray& de, Gradients& g) {
    const int64_t batch = k.size(0), n = k.size(1), a = k.size(2);
    const NDArray d = de.contiguous();
    NDArray dkp = NDArray::empty(k.shape());
    NDArray dqp = NDArray::zeros({batch, a});
    NDArray dv_rows = NDArray::zeros({batch, a});  // dv per batch row, summed after the loop
    core::parallel_for(batch, batch * n * a >= core::kParallelElements, [&](int64_t b) {
      const float* qr = q.data() + b * a;
      float* dq = dqp.data() + b * a;
      float* dv = dv_rows.data() + b * a;
      for (int64_t r = b * n; r < (b + 1) * n; ++r)
        additive_row_backward(a, k.data() + r * a, qr, w.data(), d.data()[r], dkp.data() + r * a,
                              dq, dv);
    });
    g.set(0, dqp);
    g.set(1, dkp);
    g.set(2, core::sum(dv_rows, {0}));
  });
}

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
