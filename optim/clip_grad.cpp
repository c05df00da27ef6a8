#include "ember/optim/clip_grad.h"

#include <algorithm>
#include <cmath>

#include "ember/core/error.h"
#include "ember/core/threads.h"

namespace ember::optim {
namespace {

constexpr int64_t kChunk = 1 << 14;  // elements per partial sum

// Folds v into a running sum of |x|^p, or a running max when p is inf (NaN wins the max).
double combine(double acc, double v, bool inf) {
  if (!inf) return acc + v;
  return v > acc || std::isnan(v) ? v : acc;
}

// sum_j |x_j|^p (or max_j |x_j| when p is inf) of a contiguous array, in double: partial sums
// of fixed chunks combined in order, whatever the thread count.
double norm_power(const NDArray& x, double p) {
  const float* d = x.data();
  const int64_t n = x.numel();
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(static_cast<size_t>(chunks), 0.0);
  const bool inf = std::isinf(p);
  core::parallel_for(chunks, n >= core::kParallelElements, [&](int64_t c) {
    double acc = 0.0;
    for (int64_t i = c * kChunk, end = std::min(n, i + kChunk); i < end; ++i) {
      const double a = std::fabs(double{d[i]});
      acc = combine(acc, inf ? a : p == 2.0 ? a * a : p == 1.0 ? a : std::pow(a, p), inf);
    }
    partial[static_cast<size_t>(c)] = acc;
  });
  double total = 0.0;
  for (double v : partial) total = combine(total, v, inf);
  return total;
}

}  // namespace

float clip_grad_norm(const std::vector<Tensor>& params, float max_norm, float norm_type,
                     bool error_if_nonfinite) {
  EMBER_CHECK(norm_type > 0.0f, "[clip_grad_norm] norm_type must be > 0, got {}", norm_type);
  EMBER_CHECK(!std::isnan(max_norm) && max_norm >= 0.0f,
              "[clip_grad_norm] max_norm must be >= 0, got {}", max_norm);
  const double p = norm_type;
  const bool inf = std::isinf(p);
  double acc = 0.0;
  std::vector<NDArray> grads;
  for (const Tensor& param : params) {
    const NDArray& g = param.grad();
    if (!g.defined()) continue;
    grads.push_back(g);
    acc = combine(acc, norm_power(g.contiguous(), p), inf);
  }
  const double total = inf ? acc : p == 2.0 ? std::sqrt(acc) : std::pow(acc, 1.0 / p);
  EMBER_CHECK(!error_if_nonfinite || std::isfinite(total),
              "[clip_grad_norm] the total {}-norm of {} gradients is {}", norm_type, grads.size(),
              total);
  const double coef = double{max_norm} / (total + 1e-6);
  if (!(coef >= 1.0))  // a NaN coef too: torch's clamp(coef, max=1) keeps NaN
    for (const NDArray& g : grads) g.mul_(static_cast<float>(coef));
  return static_cast<float>(total);
}

void clip_grad_value(const std::vector<Tensor>& params, float clip_value) {
  EMBER_CHECK(!std::isnan(clip_value) && clip_value >= 0.0f,
              "[clip_grad_value] clip_value must be >= 0, got {}", clip_value);
  for (const Tensor& param : params) {
    const NDArray& g = param.grad();
    if (!g.defined()) continue;
    NDArray work = g.contiguous();
    float* d = work.data();
    const int64_t n = work.numel();
    core::parallel_for(n, n >= core::kParallelElements, [&](int64_t i) { d[i] = std::clamp(d[i], -clip_value, clip_value); });
    if (!work.shares_storage_with(g)) g.copy_(work);
  }
}

}  // namespace ember::optim
