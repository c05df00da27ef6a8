// Matrix products. Both are one BLAS call forward and one per gradient backward, with transposes
// passed to BLAS as flags.
#pragma once

#include <memory>

#include "ember/autograd/tensor.h"

namespace ember {
namespace core {
class WeightPack;  // core/weight_pack.h
}

// torch.matmul: a (..., M, K) @ b (..., K, N) with batch broadcasting (core/matmul.h).
// da = dy @ b^T, db = a^T @ dy, each summed over the batch dims its operand was broadcast along.
Tensor matmul(const Tensor& a, const Tensor& b);

// y = x @ w^T + b      x: (N..., I)  w: (O, I)  b: (O) or undefined  ->  y: (N..., O)
// dx = dy @ w          dw = dy^T @ x (over all rows)          db = sum_N dy
// w_pack (optional) keeps w packed between calls (core/weight_pack.h), for a layer called once
// per step of a sequence: x @ w^T then runs on core::gemm_packed, packed once per update of w
// (dy @ w too under bf16 products; in float32 it stays on core::gemm). Same values up to the
// order of the sums.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b = Tensor(),
              const std::shared_ptr<core::WeightPack>& w_pack = nullptr);

}  // namespace ember
