#include "ember/core/blas_layout.h"

#include <algorithm>
#include <cassert>

namespace ember::core {

BlasMatrix blas_matrix(const NDArray& x, bool allow_transposed) {
  assert(x.dim() >= 2);
  const int64_t rows = x.size(-2), cols = x.size(-1);
  const int64_t rs = x.strides()[x.dim() - 2], cs = x.strides()[x.dim() - 1];
  if ((cs == 1 || cols == 1) && (rows == 1 || rs >= std::max<int64_t>(cols, 1)))
    return {x, false, rows == 1 ? std::max<int64_t>(cols, 1) : rs};
  if (allow_transposed && (rs == 1 || rows == 1) && (cols == 1 || cs >= std::max<int64_t>(rows, 1)))
    return {x, true, cols == 1 ? std::max<int64_t>(rows, 1) : cs};
  return {x.contiguous(), false, std::max<int64_t>(cols, 1)};
}

}  // namespace ember::core
