// Matrix products. Both are one BLAS call forward and one per gradient backward, with transposes
// passed to BLAS as flags.
#pragma once

#include "ember/autograd/tensor.h"

namespace ember {

// torch.matmul: a (..., M, K) @ b (..., K, N) with batch broadcasting (core/matmul.h).
// da = dy @ b^T, db = a^T @ dy, each summed over the batch dims its operand was broadcast along.
Tensor matmul(const Tensor& a, const Tensor& b);

// y = x @ w^T + b      x: (N..., I)  w: (O, I)  b: (O) or undefined  ->  y: (N..., O)
// dx = dy @ w          dw = dy^T @ x (over all rows)          db = sum_N dy
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b = Tensor());

}  // namespace ember
