#include "ember/core/elementwise.h"

#include <cmath>
#include <numbers>

#include "ember/core/fast_math.h"
#include "ember/core/strided.h"

namespace ember::core {

NDArray add(const NDArray& a, const NDArray& b) {
  return zip(a, b, "add", [](float x, float y) { return x + y; });
}
NDArray sub(const NDArray& a, const NDArray& b) {
  return zip(a, b, "sub", [](float x, float y) { return x - y; });
}
NDArray mul(const NDArray& a, const NDArray& b) {
  return zip(a, b, "mul", [](float x, float y) { return x * y; });
}
NDArray div(const NDArray& a, const NDArray& b) {
  return zip(a, b, "div", [](float x, float y) { return x / y; });
}
NDArray maximum(const NDArray& a, const NDArray& b) {
  return zip(a, b, "maximum", [](float x, float y) { return x > y ? x : y; });
}

NDArray add_scalar(const NDArray& a, float s) {
  return map(a, [s](float x) { return x + s; });
}
NDArray mul_scalar(const NDArray& a, float s) {
  return map(a, [s](float x) { return x * s; });
}
NDArray pow_scalar(const NDArray& a, float e) {
  if (e == 2.0f) return map(a, [](float x) { return x * x; });
  return map(a, [e](float x) { return std::pow(x, e); });
}

NDArray neg(const NDArray& x) {
  return map(x, [](float v) { return -v; });
}
NDArray exp(const NDArray& x) {
  return map(x, [](float v) { return fast_exp(v); });
}
NDArray log(const NDArray& x) {
  return map(x, [](float v) { return std::log(v); });
}
NDArray sqrt(const NDArray& x) {
  return map(x, [](float v) { return std::sqrt(v); });
}
NDArray tanh(const NDArray& x) {
  return map(x, [](float v) { return fast_tanh(v); });
}
NDArray sigmoid(const NDArray& x) {
  return map(x, [](float v) { return fast_sigmoid(v); });
}
NDArray relu(const NDArray& x) {
  return map(x, [](float v) { return v > 0.0f ? v : 0.0f; });
}
NDArray gelu(const NDArray& x) {
  return map(x, [](float v) { return 0.5f * v * (1.0f + std::erf(v * std::numbers::sqrt2_v<float> / 2)); });
}

}  // namespace ember::core
