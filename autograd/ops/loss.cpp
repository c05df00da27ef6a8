// cross_entropy and nll_loss (declared in autograd/ops/nn.h): one pass over the rows forward,
// one backward, no (N, C) intermediate.

#include "autograd/node.h"
#include "autograd/ops/nn.h"
#include "core/error.h"
#include "core/fast_math.h"
#include "core/softmax.h"
#include "core/threads.h"

namespace ember {
namespace {

// Checks logits (N..., C) against target (N...) and returns them as (N, C) rows.
NDArray as_rows(const NDArray& x, const IndexArray& target, int64_t ignore_index, const char* op) {
  EMBER_CHECK(x.dim() >= 1, "[{}] needs inputs of shape (N..., C), got {}", op,
              core::shape_str(x.shape()));
  const Shape lead(x.shape().begin(), x.shape().end() - 1);
  EMBER_CHECK(target.shape() == lead, "[{}] target {} does not match input {} (expected {})", op,
              core::shape_str(target.shape()), core::shape_str(x.shape()), core::shape_str(lead));
  const int64_t classes = x.size(-1);
  for (int64_t i = 0; i < target.numel(); ++i)
    EMBER_CHECK(target[i] == ignore_index || (target[i] >= 0 && target[i] < classes),
                "[{}] target {} out of range for {} classes", op, target[i], classes);
  return x.reshape({-1, classes}).contiguous();
}

// The gradient weight of each row: upstream over the count for mean, upstream for sum, the
// row's own upstream for none; 0 for ignored rows.
std::vector<float> row_weights(const NDArray& dy, const IndexArray& target, int64_t ignore_index,
                               Reduction reduction) {
  int64_t count = 0;
  for (int64_t i = 0; i < target.numel(); ++i) count += target[i] != ignore_index;
  const NDArray dyc = dy.contiguous();
  std::vector<float> w(static_cast<size_t>(target.numel()));
  for (int64_t i = 0; i < target.numel(); ++i) {
    float wi = reduction == Reduction::kNone ? dyc.data()[i] : dyc.item();
    if (reduction == Reduction::kMean) wi /= static_cast<float>(count);
    w[static_cast<size_t>(i)] = target[i] == ignore_index ? 0.0f : wi;
  }
  return w;
}

// Per-row losses reduced as asked (mean over non-ignored rows).
NDArray reduce_rows(const std::vector<double>& per_row, const IndexArray& target,
                    int64_t ignore_index, Reduction reduction) {
  if (reduction == Reduction::kNone) {
    NDArray out = NDArray::empty(target.shape());
    for (size_t i = 0; i < per_row.size(); ++i) out.data()[i] = static_cast<float>(per_row[i]);
    return out;
  }
  double total = 0.0;
  int64_t count = 0;
  for (size_t i = 0; i < per_row.size(); ++i) {
    total += per_row[i];
    count += target[static_cast<int64_t>(i)] != ignore_index;
  }
  // A mean over zero rows is NaN, as in PyTorch.
  if (reduction == Reduction::kMean) total /= static_cast<double>(count);
  return NDArray::scalar(static_cast<float>(total));
}

}  // namespace

// Forward keeps the logits rows (no log-probabilities: a second (N, C) array) and each row's
// log-sum-exp; backward writes the gradient into the rows themselves when nothing else holds them
// (the caller dropped the logits), so the loss adds no (N, C) array at all. With lse the row's
// log-sum-exp, log p_c = x_c - lse and the label-smoothed loss of a row with target t is
//   (1 - eps) (lse - x_t) + eps (lse - mean_c x_c)      (-sum_c eps/C log p_c = eps (lse - mean x))
// and its gradient  dx_c = w (p_c - eps/C) - w (1 - eps) [c = t].
Tensor cross_entropy(const Tensor& logits, const IndexArray& target,
                     const CrossEntropyOptions& options) {
  const int64_t ignore = options.ignore_index;
  const float eps = options.label_smoothing;
  EMBER_CHECK(eps >= 0.0f && eps <= 1.0f, "[cross_entropy] label_smoothing {} outside [0, 1]", eps);
  NDArray rows = as_rows(logits.data(), target, ignore, "cross_entropy");
  const int64_t n = rows.size(0), classes = rows.size(1);
  std::vector<float> lse(static_cast<size_t>(n));
  std::vector<double> per_row(static_cast<size_t>(n), 0.0);
  core::parallel_for(n, n * classes >= core::kParallelElements, [&](int64_t i) {
    const float* x = rows.data() + i * classes;
    const float l = core::log_sum_exp_lane(x, classes);
    lse[static_cast<size_t>(i)] = l;
    if (target[i] == ignore) return;
    const double mean_x = core::sum_lane(x, classes, 1) / static_cast<double>(classes);
    per_row[static_cast<size_t>(i)] = (1.0 - eps) * (l - x[target[i]]) + eps * (l - mean_x);
  });
  return make_result(
      reduce_rows(per_row, target, ignore, options.reduction), "cross_entropy", {logits},
      [rows = std::move(rows), lse = std::move(lse), target, options,
       shape = logits.shape()](const NDArray& dy, Gradients& g) {
        const std::vector<float> w = row_weights(dy, target, options.ignore_index, options.reduction);
        const int64_t n = rows.size(0), classes = rows.size(1);
        const float eps = options.label_smoothing, uniform = eps / static_cast<float>(classes);
        const NDArray dx = rows.sole_owner() ? rows : NDArray::empty(rows.shape());
        core::parallel_for(n, n * classes >= core::kParallelElements, [&](int64_t i) {
          const float* x = rows.data() + i * classes;
          float* d = dx.data() + i * classes;
          const float wi = w[static_cast<size_t>(i)], l = lse[static_cast<size_t>(i)];
          for (int64_t c = 0; c < classes; ++c) d[c] = wi * (core::fast_exp(x[c] - l) - uniform);
          if (wi != 0.0f) d[target[i]] -= wi * (1.0f - eps);
        });
        g.set(0, dx.view(shape));
      });
}

Tensor nll_loss(const Tensor& logp, const IndexArray& target, int64_t ignore_index,
                Reduction reduction) {
  const NDArray rows = as_rows(logp.data(), target, ignore_index, "nll_loss");
  const int64_t n = rows.size(0), classes = rows.size(1);
  std::vector<double> per_row(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    if (target[i] != ignore_index) per_row[static_cast<size_t>(i)] = -rows.data()[i * classes + target[i]];
  return make_result(reduce_rows(per_row, target, ignore_index, reduction), "nll_loss", {logp},
                     [target, ignore_index, reduction, n, classes, shape = logp.shape()](
                         const NDArray& dy, Gradients& g) {
                       const std::vector<float> w = row_weights(dy, target, ignore_index, reduction);
                       NDArray dx = NDArray::zeros({n, classes});
                       for (int64_t i = 0; i < n; ++i)
                         if (target[i] != ignore_index) dx.data()[i * classes + target[i]] = -w[static_cast<size_t>(i)];
                       g.set(0, dx.view(shape));
                     });
}

}  // namespace ember
