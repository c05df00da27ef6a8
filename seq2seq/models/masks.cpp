#include "ember/seq2seq/models/masks.h"

#include "ember/core/error.h"

namespace ember::seq2seq {

Tensor source_padding_mask(const std::vector<int64_t>& lengths, int64_t S) {
  bool padded = false;
  for (int64_t length : lengths) {
    EMBER_CHECK(length >= 0 && length <= S, "[source_padding_mask] length {} outside [0, {}]",
                length, S);
    padded = padded || length < S;
  }
  if (!padded) return Tensor();
  const auto batch = static_cast<int64_t>(lengths.size());
  NDArray mask = NDArray::zeros({batch, S});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = lengths[static_cast<size_t>(b)]; s < S; ++s) mask.data()[b * S + s] = 1.0f;
  return Tensor(mask);
}

}  // namespace ember::seq2seq
