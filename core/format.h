// Printing arrays as PyTorch prints tensors (torch/_tensor_str.py with the default print options:
// 4 decimals, scientific notation when the magnitudes call for it, at most 1000 elements before
// summarising each dim to its first and last 3 entries with "...", lines of 80 columns).
// NDArray's and Tensor's printing (operator<<, fmt) are built from these two pieces.
#pragma once

#include <string>
#include <vector>

#include "ember/core/ndarray.h"

namespace ember::core {

// The values as torch prints them after a prefix of `indent` characters, e.g. for indent 7
// ("tensor("): "[[0.1000, 0.2000],\n        [0.3000, 0.4000]]"; "[]" when there are none.
std::string format_values(const NDArray& a, int indent);

// body + ", suffix" for each suffix + ")", a suffix going to a new line indented by `indent`
// when it would pass column 80 (torch's _add_suffixes).
std::string add_suffixes(std::string body, const std::vector<std::string>& suffixes, int indent);

}  // namespace ember::core
