// MultiheadAttention (torch.nn.MultiheadAttention with batch_first; Vaswani et al., 2017, 3.2.2):
//   query: (B, T, E)  key: (B, S, E)  value: (B, S, E)  ->  output (B, T, E), weights (B, T, S)
//   Q = query W_q^T + b_q,  K = key W_k^T + b_k,  V = value W_v^T + b_v   (in_proj_weight rows
//   [0, E), [E, 2E), [2E, 3E); in_proj_bias likewise)
//   head h, features [h*D, (h+1)*D), D = E/H:  A_h = softmax(Q_h K_h^T / sqrt(D))   (eq. 1), with
//   -inf where attn_mask[t, s] or key_padding_mask[b, s]
//   output = concat_h(dropout(A_h) V_h) out_proj.weight^T + out_proj.bias;  weights = mean_h A_h
// Masks are 0/1 Tensors, 1 = not attended (torch's True); float additive masks are not supported.
// Self-attention (query, key and value the same Tensor) projects with one GEMM, cross-attention
// with key = value with two; the heads are attention_probs and attend_values
// (autograd/ops/attention.h), BLAS products on strided views, never split or merged copies.
//
// Incremental decoding (inference, under NoGradGuard): a KVCache holds projected keys and values.
//   KVCache cache;                                              // self-attention, grows each step
//   Tensor y = mha.forward_incremental(x_t, cache);             // x_t (B, 1, E) -> (B, 1, E)
//   KVCache mem = cross.project_memory(memory);                 // cross-attention, projected once
//   Tensor z = cross.forward_cached(y, mem, memory_key_padding_mask);
// Feeding a sequence one position at a time this way equals forward() with a causal mask.
#pragma once

#include <cstdint>
#include <memory>

#include "ember/layers/linear.h"
#include "ember/layers/module.h"

namespace ember::nn {

struct MultiheadAttentionOptions {
  bool bias = true;      // in_proj_bias and out_proj.bias
  float dropout = 0.0f;  // on the attention weights, in training mode
};

struct MultiheadAttentionArgs {
  Tensor key_padding_mask;  // (B, S), 1 = padding; or undefined
  Tensor attn_mask;         // (T, S), 1 = query t may not attend key s; or undefined
  bool need_weights = true;
};

struct MultiheadAttentionOutput {
  Tensor output;   // (B, T, E)
  Tensor weights;  // (B, T, S) averaged over heads; undefined unless need_weights
};

// Projected keys and values of the positions seen so far, (B, length, E) each. Storage grows by
// doubling, so appending a step copies only that step. Holds no gradient.
class KVCache {
 public:
  int64_t length() const { return length_; }
  bool empty() const { return length_ == 0; }
  NDArray keys() const;    // (B, length, E) view
  NDArray values() const;  // (B, length, E) view
  // Appends k, v (B, T_new, E) (the first append fixes B and E).
  void append(const NDArray& k, const NDArray& v);
  // Beam search: batch row i becomes old row index[i] (index (B') in [0, B)).
  void reorder(const IndexArray& index);
  void clear();

 private:
  NDArray k_, v_;  // (B, capacity, E)
  int64_t length_ = 0;
};

// A (T, T) mask of 0/1 with 1 where s > t: query t may attend keys 0..t only.
Tensor causal_mask(int64_t size);

class MultiheadAttention : public Module {
 public:
  // Parameters in_proj_weight (3E, E) xavier_uniform, in_proj_bias (3E) zeros, and the submodule
  // out_proj (Linear E -> E, torch's init, bias zeroed), as torch._reset_parameters does.
  // embed_dim must be divisible by num_heads.
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options = {});

  MultiheadAttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                   const MultiheadAttentionArgs& args = {}) const;

  // Self-attention over the cache plus query (B, T_new, E): appends this chunk's keys and values,
  // then position t of the chunk attends every cached position up to itself -> (B, T_new, E).
  // Needs grad mode off (NoGradGuard): the cache keeps no gradient.
  Tensor forward_incremental(const Tensor& query, KVCache& cache) const;

  // Cross-attention memory (B, S, E) projected once: keys and values with one GEMM. Needs grad
  // mode off, as forward_incremental.
  KVCache project_memory(const Tensor& memory) const;
  // query (B, T, E) over a projected memory; key_padding_mask (B, S) or undefined -> (B, T, E).
  Tensor forward_cached(const Tensor& query, const KVCache& memory,
                        const Tensor& key_padding_mask = Tensor()) const;

  int64_t embed_dim() const { return embed_dim_; }
  int64_t num_heads() const { return num_heads_; }
  std::string extra_repr() const override {
    return fmt::format("embed_dim={}, num_heads={}, dropout={}", embed_dim_, num_heads_,
                       python_repr(dropout_));
  }
  const Tensor& in_proj_weight() const { return in_proj_weight_; }
  const Tensor& in_proj_bias() const { return in_proj_bias_; }  // undefined without bias
  const Linear& out_proj() const { return *out_proj_; }
  void quantize_int8() override;  // in_proj_weight, then out_proj (Module::quantize_int8)

 private:
  // Rows [first*E, (first+count)*E) of the packed projection applied to x: (B, L, count*E).
  Tensor project(const Tensor& x, int64_t first, int64_t count) const;
  // Attention proper on projected q (B, T, E), k, v (B, S, E), with a mask broadcastable to
  // (B, H, T, S): returns the output before out_proj and the per-head weights (B, H, T, S).
  std::pair<Tensor, Tensor> attend(const Tensor& q, const Tensor& k, const Tensor& v,
                                   const NDArray& mask) const;
  void check_input(const char* what, const Tensor& x) const;
  void check_inference(const char* what) const;

  int64_t embed_dim_, num_heads_;
  float dropout_;
  Tensor in_proj_weight_, in_proj_bias_;
  std::shared_ptr<Linear> out_proj_;
  Int8Weight in_proj_int8_;  // null until quantize_int8()
};

}  // namespace ember::nn
