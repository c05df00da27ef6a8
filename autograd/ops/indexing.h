// Indexing with integer indices and masks. Indices (IndexArray) and masks (Tensors of 0/1, where
// 1 = masked out, as PyTorch's True) carry no gradient.
#pragma once

#include "ember/autograd/tensor.h"

namespace ember {

// y = x with dim `dim` indexed by index (I);  dx = zeros, dx[.., index[i], ..] += dy[.., i, ..]
Tensor index_select(const Tensor& x, int64_t dim, const IndexArray& index);
// y[i][j][k] = x[i][index[i][j][k]][k] (dim 1);  dx = scatter_add of dy at the same places
Tensor gather(const Tensor& x, int64_t dim, const IndexArray& index);
// y = base + src scattered to index along dim;  dbase = dy,  dsrc = gather(dy, dim, index)
Tensor scatter_add(const Tensor& base, int64_t dim, const IndexArray& index, const Tensor& src);
// y = value where mask, else x;  dx = dy where not mask, else 0
Tensor masked_fill(const Tensor& x, const Tensor& mask, float value);
// y = a where cond, else b (all broadcast);  da = dy where cond, db = dy elsewhere
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// Embedding lookup: weight (V, E), ids (...) -> (..., E). dweight[r] = sum of dy at positions with
// id r, except row padding_idx (if >= 0), whose gradient is always 0.
Tensor embedding(const Tensor& weight, const IndexArray& ids, int64_t padding_idx = -1);

}  // namespace ember
