#include "ember/core/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ember/core/error.h"
#include "ember/core/fast_math.h"
#include "ember/core/lanes.h"

namespace ember::core {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Lanes are usually contiguous (softmax over the last dim): with kUnit every pass below is a plain
// loop the compiler vectorises; strided lanes take the same passes through the stride.

// max_j x[j * stride], or 0 when every element is -inf (then every exp(x_j - m) is 0, the sum 0
// and the softmax NaN, as in torch). Eight independent running maxima, not one chain of
// dependent compares (GCC does not vectorise a float max without -ffast-math).
template <bool kUnit>
float lane_max(const float* x, int64_t n, int64_t stride) {
  float max8[8];
  std::fill(max8, max8 + 8, kNegInf);
  int64_t j = 0;
  if constexpr (kUnit)
    for (; j + 8 <= n; j += 8)
      for (int l = 0; l < 8; ++l) max8[l] = std::max(max8[l], x[j + l]);
  float m = *std::max_element(max8, max8 + 8);
  for (; j < n; ++j) m = std::max(m, x[j * stride]);
  return m == kNegInf ? 0.0f : m;
}

// sum_j exp(x_j - m) over the lane, summed as sum_lane does; F = float also writes each term over
// x_j, F = const float only sums. One pointer, so the in-place loop vectorises without an alias
// check.
template <bool kUnit, class F>
double exp_sum(F* x, int64_t n, int64_t stride, float m) {
  float acc[8] = {};
  int64_t j = 0;
  if constexpr (kUnit)
    for (; j + 8 <= n; j += 8)
      for (int l = 0; l < 8; ++l) {
        const float e = fast_exp(x[j + l] - m);
        if constexpr (!std::is_const_v<F>) x[j + l] = e;
        acc[l] += e;
      }
  double total = 0.0;
  for (float a : acc) total += a;
  for (; j < n; ++j) {
    const float e = fast_exp(x[j * stride] - m);
    if constexpr (!std::is_const_v<F>) x[j * stride] = e;
    total += e;
  }
  return total;
}

// The one softmax kernel, in place over the lane y[j * stride], j < n: first y_j = -inf where
// mask[j * mask_stride] != 0 (mask may be null) and scale * y_j elsewhere; then softmax, or
// log_softmax when log_space.
template <bool kUnit>
void softmax_lane(float* y, int64_t n, int64_t stride, const float* mask, int64_t mask_stride,
                  float scale, bool log_space) {
  if constexpr (kUnit) stride = 1;
  if (mask != nullptr)
    for (int64_t j = 0; j < n; ++j)
      y[j * stride] = mask[j * mask_stride] != 0.0f ? kNegInf : scale * y[j * stride];
  else if (scale != 1.0f)
    for (int64_t j = 0; j < n; ++j) y[j * stride] *= scale;
  const float m = lane_max<kUnit>(y, n, stride);
  if (log_space) {  // y_j - m - log sum_j exp(y_j - m)
    const double total = exp_sum<kUnit>(static_cast<const float*>(y), n, stride, m);
    const float shift = m + static_cast<float>(std::log(total));
    for (int64_t j = 0; j < n; ++j) y[j * stride] -= shift;
  } else {
    const float inv = static_cast<float>(1.0 / exp_sum<kUnit>(y, n, stride, m));
    for (int64_t j = 0; j < n; ++j) y[j * stride] *= inv;
  }
}

// Runs softmax_lane over every lane of y along dim; mask, when defined, has y's shape (an
// expanded view is fine).
void softmax_lanes_(const NDArray& y, int64_t dim, const NDArray& mask, float scale,
                    bool log_space) {
  const NDArray& m = mask.defined() ? mask : y;  // y stands in for a missing mask (never read)
  for_each_lane<2>(y.shape(), dim, {&y, &m}, [&](int64_t, int64_t n, auto p, auto s) {
    const float* lane_mask = mask.defined() ? p[1] : nullptr;
    if (s[0] == 1)
      softmax_lane<true>(p[0], n, 1, lane_mask, s[1], scale, log_space);
    else
      softmax_lane<false>(p[0], n, s[0], lane_mask, s[1], scale, log_space);
  });
}

// A contiguous copy of x with (log-)softmax applied along dim.
NDArray softmax_copy(const NDArray& x, int64_t dim, bool log_space, const char* op) {
  dim = normalize_dim(dim, x.dim(), op);
  NDArray y = NDArray::empty(x.shape());
  y.copy_(x);
  softmax_lanes_(y, dim, NDArray(), 1.0f, log_space);
  return y;
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

ExpSum exp_shifted_lane(float* x, int64_t n) {
  const float m = lane_max<true>(x, n, 1);
  return {m, exp_sum<true>(x, n, 1, m)};
}

float log_sum_exp_lane(const float* x, int64_t n) {
  const float m = lane_max<true>(x, n, 1);
  return m + static_cast<float>(std::log(exp_sum<true>(x, n, 1, m)));
}

NDArray softmax(const NDArray& x, int64_t dim) { return softmax_copy(x, dim, false, "softmax"); }

NDArray log_softmax(const NDArray& x, int64_t dim) {
  return softmax_copy(x, dim, true, "log_softmax");
}

void masked_softmax_(const NDArray& x, const NDArray& mask, float scale) {
  EMBER_CHECK(x.dim() >= 1, "[masked_softmax] needs rank >= 1, got {}", shape_str(x.shape()));
  bool fits = !mask.defined() || mask.dim() <= x.dim();
  for (int64_t d = 1; fits && d <= mask.dim(); ++d)
    fits = mask.size(-d) == 1 || mask.size(-d) == x.size(-d);
  EMBER_CHECK(fits, "[masked_softmax] mask {} does not broadcast to scores {}",
              shape_str(mask.shape()), shape_str(x.shape()));
  softmax_lanes_(x, x.dim() - 1, mask.defined() ? mask.expand(x.shape()) : NDArray(), scale, false);
}

NDArray softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim, float scale) {
  dim = normalize_dim(dim, y.dim(), "softmax_backward");
  NDArray dx = NDArray::empty(y.shape());
  for_each_lane<3>(y.shape(), dim, {&dx, &y, &dy}, [scale](int64_t, int64_t n, auto p, auto s) {
    double dot = 0.0;
    for (int64_t j = 0; j < n; ++j) dot += static_cast<double>(p[1][j * s[1]]) * p[2][j * s[2]];
    const float d = static_cast<float>(dot);
    for (int64_t j = 0; j < n; ++j) p[0][j * s[0]] = scale * p[1][j * s[1]] * (p[2][j * s[2]] - d);
  });
  return dx;
}

NDArray log_softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim) {
  dim = normalize_dim(dim, y.dim(), "log_softmax_backward");
  NDArray dx = NDArray::empty(y.shape());
  for_each_lane<3>(y.shape(), dim, {&dx, &y, &dy}, [](int64_t, int64_t n, auto p, auto s) {
    const float t = static_cast<float>(sum_lane(p[2], n, s[2]));
    for (int64_t j = 0; j < n; ++j) p[0][j * s[0]] = p[2][j * s[2]] - fast_exp(p[1][j * s[1]]) * t;
  });
  return dx;
}

}  // namespace ember::core
