// Position information added to token embeddings, for models with no recurrence or convolution.
//   x: (B, T, E)  ->  y: (B, T, E),  y[b, t] = x[b, t] + PE[start_pos + t]
// start_pos > 0 serves incremental decoding: step t of a decoder that has already produced
// start_pos tokens adds the row of its true position. start_pos + T > max_len is an error.
#pragma once

#include <cstdint>

#include "ember/layers/module.h"

namespace ember::nn {

// Fixed sinusoids (Vaswani et al., 2017, section 3.5):
//   PE(pos, 2i) = sin(pos / 10000^(2i / E)),  PE(pos, 2i + 1) = cos(pos / 10000^(2i / E))
// The table (max_len, E) is a buffer, not a parameter: it is not in the state_dict and gets no
// gradient. An odd E is allowed (the last column is a sine).
class SinusoidalPositionalEncoding : public Module {
 public:
  SinusoidalPositionalEncoding(int64_t d_model, int64_t max_len);

  Tensor forward(const Tensor& x, int64_t start_pos = 0) const;

  const NDArray& table() const { return table_; }  // (max_len, d_model)
  int64_t max_len() const { return table_.size(0); }
  int64_t d_model() const { return table_.size(1); }
  std::string extra_repr() const override {
    return fmt::format("d_model={}, max_len={}", d_model(), max_len());
  }

 private:
  NDArray table_;
};

// Learned positions (Gehring et al., 2017; BERT): parameter "weight" (max_len, d_model), N(0, 1)
// initialised like torch.nn.Embedding.
class LearnedPositionalEncoding : public Module {
 public:
  LearnedPositionalEncoding(int64_t max_len, int64_t d_model);

  Tensor forward(const Tensor& x, int64_t start_pos = 0) const;

  const Tensor& weight() const { return weight_; }
  int64_t max_len() const { return weight_.size(0); }
  int64_t d_model() const { return weight_.size(1); }
  std::string extra_repr() const override {
    return fmt::format("max_len={}, d_model={}", max_len(), d_model());
  }

 private:
  Tensor weight_;
};

}  // namespace ember::nn
