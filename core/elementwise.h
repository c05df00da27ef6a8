// Named elementwise kernels (NumPy broadcasting for the binary ones). Each is one call of the
// map/zip loops in core/strided.h, which is also how to write a new one.
#pragma once

#include "ember/core/ndarray.h"

namespace ember::core {

NDArray add(const NDArray& a, const NDArray& b);
NDArray sub(const NDArray& a, const NDArray& b);
NDArray mul(const NDArray& a, const NDArray& b);
NDArray div(const NDArray& a, const NDArray& b);
NDArray maximum(const NDArray& a, const NDArray& b);

NDArray add_scalar(const NDArray& a, float s);
NDArray mul_scalar(const NDArray& a, float s);
NDArray pow_scalar(const NDArray& a, float exponent);

NDArray neg(const NDArray& x);
NDArray exp(const NDArray& x);
NDArray log(const NDArray& x);
NDArray sqrt(const NDArray& x);
NDArray tanh(const NDArray& x);
NDArray sigmoid(const NDArray& x);
NDArray relu(const NDArray& x);
NDArray gelu(const NDArray& x);  // exact: x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))

}  // namespace ember::core
