// The masks the models attend with, built here and nowhere else. A Batch (seq2seq/data/batching.h)
// carries token ids and lengths only; each model builds the masks it reads from them, in forward()
// and in start() alike. Masks are 0/1 Tensors, 1 = masked (torch's True), as the layers take them.
// The Transformer decoder's causal mask is the layers' own, nn::causal_mask(T)
// (layers/multihead_attention.h).
#pragma once

#include <cstdint>
#include <vector>

#include "ember/autograd/tensor.h"

namespace ember::seq2seq {

// (B, S): 1 where s >= lengths[b], the padding after each source row (B = lengths.size()).
// Undefined when no row is padded, so that models skip the masking work. Attention ignores these
// keys; ConvS2S's encoder also zeroes these positions.
Tensor source_padding_mask(const std::vector<int64_t>& lengths, int64_t S);

}  // namespace ember::seq2seq
