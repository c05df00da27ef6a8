#include "core/softmax.h"

#include <cmath>
#include <limits>

#include "core/lanes.h"

namespace ember::core {
namespace {

// Writes softmax (log_space = false) or log_softmax (true) of each lane of x into out.
NDArray softmax_lanes(const NDArray& x, int64_t dim, bool log_space, const char* op) {
  dim = normalize_dim(dim, x.dim(), op);
  NDArray out = NDArray::empty(x.shape());
  for_each_lane<2>(x.shape(), dim, {&out, &x}, [log_space](int64_t, int64_t n, auto p, auto s) {
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < n; ++j) m = std::max(m, p[1][j * s[1]]);
    if (m == -std::numeric_limits<float>::infinity()) m = 0.0f;  // an all -inf lane
    double total = 0.0;
    for (int64_t j = 0; j < n; ++j) {
      const float e = std::exp(p[1][j * s[1]] - m);
      if (!log_space) p[0][j * s[0]] = e;
      total += e;
    }
    if (log_space) {
      const float shift = m + static_cast<float>(std::log(total));
      for (int64_t j = 0; j < n; ++j) p[0][j * s[0]] = p[1][j * s[1]] - shift;
    } else {
      const float inv = static_cast<float>(1.0 / total);
      for (int64_t j = 0; j < n; ++j) p[0][j * s[0]] *= inv;
    }
  });
  return out;
}

}  // namespace

NDArray softmax(const NDArray& x, int64_t dim) { return softmax_lanes(x, dim, false, "softmax"); }

NDArray log_softmax(const NDArray& x, int64_t dim) {
  return softmax_lanes(x, dim, true, "log_softmax");
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
    double total = 0.0;
    for (int64_t j = 0; j < n; ++j) total += p[2][j * s[2]];
    const float t = static_cast<float>(total);
    for (int64_t j = 0; j < n; ++j)
      p[0][j * s[0]] = p[2][j * s[2]] - std::exp(p[1][j * s[1]]) * t;
  });
  return dx;
}

}  // namespace ember::core
