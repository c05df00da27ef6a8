// Embedding (torch.nn.Embedding): a lookup table of V vectors of width E.
//   ids: (...) int64 in [0, V)  weight: (V, E)  ->  y: (..., E),  y[..] = weight[ids[..]]
// weight is initialised N(0, 1) as in torch; the padding row (if any) is zeroed and never gets a
// gradient (its stored value is still looked up).
#pragma once

#include <cstdint>

#include "ember/layers/module.h"

namespace ember::nn {

class Embedding : public Module {
 public:
  // Parameter "weight" (num_embeddings, embedding_dim). padding_idx < 0 means no padding row
  // (torch's None); otherwise it must be < num_embeddings.
  Embedding(int64_t num_embeddings, int64_t embedding_dim, int64_t padding_idx = -1);

  // An id outside [0, V) throws "[embedding]" naming the id and the weight's shape.
  Tensor forward(const IndexArray& ids) const;

  const Tensor& weight() const { return weight_; }
  int64_t num_embeddings() const { return weight_.size(0); }
  int64_t embedding_dim() const { return weight_.size(1); }
  int64_t padding_idx() const { return padding_idx_; }
  std::string extra_repr() const override {
    const std::string padding =
        padding_idx_ >= 0 ? fmt::format(", padding_idx={}", padding_idx_) : "";
    return fmt::format("{}, {}{}", num_embeddings(), embedding_dim(), padding);
  }

 private:
  int64_t padding_idx_;
  Tensor weight_;
};

}  // namespace ember::nn
