#include "core/softmax.h"

#include <cmath>
#include <limits>

#include "core/fast_math.h"
#include "core/lanes.h"

namespace ember::core {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Writes softmax (log_space = false) or log_softmax (true) of one lane. Lanes are usually
// contiguous (softmax over the last dim): kUnit makes every pass a plain loop the compiler
// vectorises; strided lanes take the same passes through the strides.
template <bool kUnit>
void softmax_lane(const float* x, float* y, int64_t n, int64_t sx, int64_t sy, bool log_space) {
  if constexpr (kUnit) sx = sy = 1;
  float m = kNegInf;
  for (int64_t j = 0; j < n; ++j) m = std::max(m, x[j * sx]);
  if (m == kNegInf) m = 0.0f;  // an all -inf lane
  for (int64_t j = 0; j < n; ++j) y[j * sy] = fast_exp(x[j * sx] - m);
  const double total = sum_lane(y, n, sy);
  if (log_space) {
    const float shift = m + static_cast<float>(std::log(total));
    for (int64_t j = 0; j < n; ++j) y[j * sy] = x[j * sx] - shift;
  } else {
    const float inv = static_cast<float>(1.0 / total);
    for (int64_t j = 0; j < n; ++j) y[j * sy] *= inv;
  }
}

NDArray softmax_impl(const NDArray& x, int64_t dim, bool log_space, const char* op) {
  dim = normalize_dim(dim, x.dim(), op);
  NDArray out = NDArray::empty(x.shape());
  for_each_lane<2>(x.shape(), dim, {&out, &x}, [log_space](int64_t, int64_t n, auto p, auto s) {
    if (s[0] == 1 && s[1] == 1) softmax_lane<true>(p[1], p[0], n, 1, 1, log_space);
    else softmax_lane<false>(p[1], p[0], n, s[1], s[0], log_space);
  });
  return out;
}

}  // namespace

double sum_lane(const float* x, int64_t n, int64_t stride) {
  // Eight float partial sums (vectorised), folded in double: accurate and fast for any n.
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  if (stride == 1)
    for (; j + 8 <= n; j += 8)
      for (int k = 0; k < 8; ++k) acc[k] += x[j + k];
  double total = 0.0;
  for (float a : acc) total += a;
  for (; j < n; ++j) total += x[j * stride];
  return total;
}

float log_sum_exp_lane(const float* x, int64_t n) {
  float m = kNegInf;
  for (int64_t j = 0; j < n; ++j) m = std::max(m, x[j]);
  if (m == kNegInf) m = 0.0f;  // an all -inf lane: the sum is 0 and the result -inf
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // eight partial sums, as sum_lane
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) acc[k] += fast_exp(x[j + k] - m);
  double total = 0.0;
  for (float a : acc) total += a;
  for (; j < n; ++j) total += fast_exp(x[j] - m);
  return m + static_cast<float>(std::log(total));
}

NDArray softmax(const NDArray& x, int64_t dim) { return softmax_impl(x, dim, false, "softmax"); }

NDArray log_softmax(const NDArray& x, int64_t dim) {
  return softmax_impl(x, dim, true, "log_softmax");
}

NDArray softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim) {
  dim = normalize_dim(dim, y.dim(), "softmax_backward");
  NDArray dx = NDArray::empty(y.shape());
  for_each_lane<3>(y.shape(), dim, {&dx, &y, &dy}, [](int64_t, int64_t n, auto p, auto s) {
    double dot = 0.0;
    for (int64_t j = 0; j < n; ++j) dot += static_cast<double>(p[1][j * s[1]]) * p[2][j * s[2]];
    const float d = static_cast<float>(dot);
    for (int64_t j = 0; j < n; ++j) p[0][j * s[0]] = p[1][j * s[1]] * (p[2][j * s[2]] - d);
  });
  return dx;
}

NDArray log_softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim) {
  dim = normalize_dim(dim, y.dim(), "log_softmax_backward");
  NDArray dx = NDArray::empty(y.shape());
  for_each_lane<3>(y.shape(), dim, {&dx, &y, &dy}, [](int64_t, int64_t n, auto p, auto s) {
    const float t = static_cast<float>(sum_lane(p[2], n, s[2]));
    for (int64_t j = 0; j < n; ++j)
      p[0][j * s[0]] = p[2][j * s[2]] - fast_exp(p[1][j * s[1]]) * t;
  });
  return dx;
}

}  // namespace ember::core
