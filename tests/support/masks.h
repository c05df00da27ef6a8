// Attention masks built by hand for the layer tests (1 = masked out).
#pragma once

#include <cstdint>
#include <vector>

#include "ember/autograd/tensor.h"

namespace ember::testing {

// (B, S) key padding mask: 1 where s >= lengths[b].
inline Tensor padding_mask(int64_t s, const std::vector<int64_t>& lengths) {
  const int64_t batch = static_cast<int64_t>(lengths.size());
  NDArray m = NDArray::zeros({batch, s});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = lengths[b]; j < s; ++j) m.data()[b * s + j] = 1.0f;
  return Tensor(m);
}

}  // namespace ember::testing
