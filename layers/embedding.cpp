#include "ember/layers/embedding.h"

#include "ember/autograd/ops/indexing.h"
#include "ember/core/error.h"
#include "ember/layers/init.h"

namespace ember::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, int64_t padding_idx)
    : padding_idx_(padding_idx < 0 ? -1 : padding_idx) {
  EMBER_CHECK(num_embeddings > 0 && embedding_dim > 0,
              "[embedding] num_embeddings and embedding_dim must be positive, got ({}, {})",
              num_embeddings, embedding_dim);
  EMBER_CHECK(padding_idx < num_embeddings,
              "[embedding] padding_idx {} out of range for a weight ({}, {})", padding_idx,
              num_embeddings, embedding_dim);
  weight_ = register_parameter("weight", Tensor::zeros({num_embeddings, embedding_dim}));
  init::normal_(weight_);
  if (padding_idx_ >= 0) weight_.data().select(0, padding_idx_).fill_(0.0f);
}

Tensor Embedding::forward(const IndexArray& ids) const {
  return embedding(weight_, ids, padding_idx_);
}

}  // namespace ember::nn
