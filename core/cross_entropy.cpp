#include "ember/core/cross_entropy.h"

#include "ember/core/isa/kernel_table.h"
#include "ember/core/softmax.h"

namespace ember::core {

double cross_entropy_row_loss(const float* x, int64_t classes, int64_t t, float lse, float eps) {
  const double mean_x = sum_lane(x, classes, 1) / static_cast<double>(classes);
  return (1.0 - eps) * (lse - x[t]) + eps * (lse - mean_x);
}

void cross_entropy_row_gradient(const float* x, int64_t classes, int64_t t, float lse, float eps,
                                float w, float* d) {
  kernels().cross_entropy_row_gradient(x, classes, t, lse, eps, w, d);
}

double cross_entropy_row_loss_and_gradient(float* x, int64_t classes, int64_t t, float eps,
                                           float w) {
  return kernels().cross_entropy_row_loss_and_gradient(x, classes, t, eps, w);
}

}  // namespace ember::core
