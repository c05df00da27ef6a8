// Attention score functions, the attention of RNN encoder-decoders: a query q scores each of n
// keys, a softmax turns the scores into weights, and the context is the weighted sum of the values.
//   q: (B, d_q)  keys: (B, n, d_k)  values: (B, n, d_v), default keys  mask: (B, n), 1 = excluded
//   e_i = score(q, k_i);  e_i = -inf where mask;  alpha = softmax(e) over i;  c = sum_i alpha_i v_i
//   -> context c (B, d_v), weights alpha (B, n)
// The four scores:
//   DotAttention        e_i = q . k_i                      (Luong et al., 2015, "dot")
//   ScaledDotAttention  e_i = q . k_i / sqrt(d_k)          (Vaswani et al., 2017, eq. 1)
//   GeneralAttention    e_i = q^T W k_i                    (Luong et al., 2015, "general")
//   AdditiveAttention   e_i = v . tanh(W_q q + W_k k_i)    (Bahdanau et al., 2015, appendix A.1.2)
// A masked key gets weight exactly 0 and no gradient; a row with every key masked gives NaN, as in
// torch (the softmax is masked_softmax, autograd/ops/nn.h). Weights are differentiable (e.g. for a
// coverage loss).
//
// Decoding: a decoder attends at every step over the same keys with a new query. precompute_keys
// does the query-independent work once per sequence (W_k k_i for additive, W k_i for general,
// nothing for the dot products); attend() does the per-step rest:
//   const Tensor pre = attention.precompute_keys(encoder_states);      // once per source batch
//   for each step t: auto [context, weights] = attention.attend(h_t, pre, encoder_states, mask);
// forward(q, keys, values, mask) is the one-shot form of the same computation.
#pragma once

#include <cstdint>
#include <string>

#include "ember/layers/module.h"

namespace ember::nn {

struct AttentionOutput {
  Tensor context;  // (B, d_v)
  Tensor weights;  // (B, n)
};

// The common interface of the score functions.
class Attention : public Module {
 public:
  // One-shot: precompute_keys and attend. values undefined = keys.
  AttentionOutput forward(const Tensor& q, const Tensor& keys, const Tensor& values = Tensor(),
                          const Tensor& mask = Tensor()) const;

  // keys (B, n, d_k) -> what attend() needs of them, (B, n, d') (see the header comment).
  virtual Tensor precompute_keys(const Tensor& keys) const;

  // One decoder step over precomputed keys; values (B, n, d_v) are required here.
  AttentionOutput attend(const Tensor& q, const Tensor& precomputed, const Tensor& values,
                         const Tensor& mask = Tensor()) const;

  const std::string& name() const { return name_; }

 protected:
  explicit Attention(std::string name) : name_(std::move(name)) {}
  // The width q must have: the module's d_q, or -1 (any) for the parameterless dot products.
  virtual int64_t query_dim() const { return -1; }
  // The last dim keys (precomputed keys) must have, given q's width d_q.
  virtual int64_t key_dim(int64_t d_q) const { return d_q; }
  virtual int64_t precomputed_dim(int64_t d_q) const { return d_q; }
  // e (B, n) from q (B, d_q) and precomputed keys (B, n, d'), shapes already checked.
  virtual Tensor scores(const Tensor& q, const Tensor& precomputed) const;
  // The softmax temperature applied to e (1/sqrt(d_k) for ScaledDotAttention).
  virtual float scale(int64_t /*d_k*/) const { return 1.0f; }
  void check_keys(const Tensor& keys, int64_t d_k) const;

 private:
  // "[name] shapes do not fit: ..." unless q (B, d_q), keys (B, n, width(d_q)), values (B, n, d_v)
  // and mask (B, n) or undefined.
  void check_shapes(const char* keys_name, const Tensor& q, const Tensor& keys,
                    const Tensor& values, const Tensor& mask, bool precomputed) const;
  AttentionOutput finish(const Tensor& q, const Tensor& precomputed, const Tensor& values,
                         const Tensor& mask) const;

  std::string name_;  // the error tag, e.g. "additive_attention"
};

class DotAttention : public Attention {
 public:
  DotAttention() : Attention("dot_attention") {}
};

class ScaledDotAttention : public Attention {
 public:
  ScaledDotAttention() : Attention("scaled_dot_attention") {}

 protected:
  float scale(int64_t d_k) const override;
};

// Parameter "W" (d_q, d_k), uniform +-1/sqrt(d_k). precompute_keys gives W k_i (B, n, d_q).
class GeneralAttention : public Attention {
 public:
  GeneralAttention(int64_t d_q, int64_t d_k);
  Tensor precompute_keys(const Tensor& keys) const override;
  const Tensor& weight() const { return w_; }
  std::string extra_repr() const override { return fmt::format("d_q={}, d_k={}", d_q_, d_k_); }

 protected:
  int64_t query_dim() const override { return d_q_; }
  int64_t key_dim(int64_t) const override { return d_k_; }

 private:
  int64_t d_q_, d_k_;
  Tensor w_;
};

// Parameters "W_q" (d_att, d_q), "W_k" (d_att, d_k), "v" (d_att), each uniform +-1/sqrt(fan_in).
// precompute_keys gives W_k k_i (B, n, d_att); the score is one fused op, additive_scores
// (autograd/ops/attention.h).
class AdditiveAttention : public Attention {
 public:
  AdditiveAttention(int64_t d_q, int64_t d_k, int64_t d_att);
  Tensor precompute_keys(const Tensor& keys) const override;
  std::string extra_repr() const override {
    return fmt::format("d_q={}, d_k={}, d_att={}", d_q_, d_k_, d_att_);
  }

 protected:
  int64_t query_dim() const override { return d_q_; }
  int64_t key_dim(int64_t) const override { return d_k_; }
  int64_t precomputed_dim(int64_t) const override { return d_att_; }
  Tensor scores(const Tensor& q, const Tensor& precomputed) const override;

 private:
  int64_t d_q_, d_k_, d_att_;
  Tensor w_q_, w_k_, v_;
};

}  // namespace ember::nn
