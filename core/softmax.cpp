#include "ember/core/softmax.h"

#include "ember/core/error.h"
#include "ember/core/isa/kernel_table.h"
#include "ember/core/lanes.h"

namespace ember::core {
namespace {

// Runs softmax_lane over every lane of y along dim; mask, when defined, has y's shape (an
// expanded view is fine).
void softmax_lanes_(const NDArray& y, int64_t dim, const NDArray& mask, float scale,
                    bool log_space) {
  const NDArray& m = mask.defined() ? mask : y;  // y stands in for a missing mask (never read)
  const auto lane = kernels().softmax_lane;
  for_each_lane<2>(y.shape(), dim, {&y, &m}, [&](int64_t, int64_t n, auto p, auto s) {
    lane(p[0], n, s[0], mask.defined() ? p[1] : nullptr, s[1], scale, log_space);
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
  return kernels().sum_lane(x, n, stride);
}

ExpSum exp_shifted_lane(float* x, int64_t n) { return kernels().exp_shifted_lane(x, n); }

float log_sum_exp_lane(const float* x, int64_t n) { return kernels().log_sum_exp_lane(x, n); }

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
  const auto lane = kernels().softmax_backward_lane;
  for_each_lane<3>(y.shape(), dim, {&dx, &y, &dy}, [&](int64_t, int64_t n, auto p, auto s) {
    lane(p[0], p[1], p[2], n, s.data(), scale);
  });
  return dx;
}

NDArray log_softmax_backward(const NDArray& y, const NDArray& dy, int64_t dim) {
  dim = normalize_dim(dim, y.dim(), "log_softmax_backward");
  NDArray dx = NDArray::empty(y.shape());
  const auto lane = kernels().log_softmax_backward_lane;
  for_each_lane<3>(y.shape(), dim, {&dx, &y, &dy}, [&](int64_t, int64_t n, auto p, auto s) {
    lane(p[0], p[1], p[2], n, s.data());
  });
  return dx;
}

}  // namespace ember::core
