#include "ember/core/cross_entropy.h"

#include <cmath>

#include "ember/core/fast_math.h"
#include "ember/core/softmax.h"

namespace ember::core {

double cross_entropy_row_loss(const float* x, int64_t classes, int64_t t, float lse, float eps) {
  const double mean_x = sum_lane(x, classes, 1) / static_cast<double>(classes);
  return (1.0 - eps) * (lse - x[t]) + eps * (lse - mean_x);
}

void cross_entropy_row_gradient(const float* x, int64_t classes, int64_t t, float lse, float eps,
                                float w, float* d) {
  const float uniform = eps / static_cast<float>(classes);
  for (int64_t c = 0; c < classes; ++c) d[c] = w * (fast_exp(x[c] - lse) - uniform);
  if (w != 0.0f) d[t] -= w * (1.0f - eps);
}

double cross_entropy_row_loss_and_gradient(float* x, int64_t classes, int64_t t, float eps,
                                           float w) {
  const double sum_x = sum_lane(x, classes, 1);
  const float x_t = x[t];
  const ExpSum e = exp_shifted_lane(x, classes);
  const float lse = e.max + static_cast<float>(std::log(e.sum));
  const float scale = w / static_cast<float>(e.sum), shift = w * eps / static_cast<float>(classes);
  for (int64_t c = 0; c < classes; ++c) x[c] = x[c] * scale - shift;
  x[t] -= w * (1.0f - eps);
  return (1.0 - eps) * (lse - x_t) + eps * (lse - sum_x / static_cast<double>(classes));
}

}  // namespace ember::core
