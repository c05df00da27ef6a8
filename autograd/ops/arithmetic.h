// Elementwise arithmetic with NumPy broadcasting. The gradient of a broadcast operand is summed
// over the dims it was broadcast along (core::sum_to).
#pragma once

#include "ember/autograd/tensor.h"

namespace ember {

Tensor add(const Tensor& a, const Tensor& b);  // da = dy, db = dy
Tensor sub(const Tensor& a, const Tensor& b);  // da = dy, db = -dy
Tensor mul(const Tensor& a, const Tensor& b);  // da = dy * b, db = dy * a
Tensor div(const Tensor& a, const Tensor& b);  // da = dy / b, db = -dy * a / b^2
Tensor add(const Tensor& a, float s);
Tensor mul(const Tensor& a, float s);
Tensor neg(const Tensor& x);
Tensor pow(const Tensor& x, float exponent);  // dx = dy * e * x^(e-1)

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& a, float s) { return add(a, s); }
inline Tensor operator+(float s, const Tensor& a) { return add(a, s); }
inline Tensor operator-(const Tensor& a, float s) { return add(a, -s); }
inline Tensor operator-(float s, const Tensor& a) { return add(neg(a), s); }
inline Tensor operator*(const Tensor& a, float s) { return mul(a, s); }
inline Tensor operator*(float s, const Tensor& a) { return mul(a, s); }
inline Tensor operator/(const Tensor& a, float s) { return mul(a, 1.0f / s); }
inline Tensor operator-(const Tensor& x) { return neg(x); }

}  // namespace ember
