// cross_entropy, linear_cross_entropy and nll_loss (declared in autograd/ops/nn.h): one pass over
// the rows forward, one backward, no (N, C) intermediate beyond the logits themselves. The row
// kernels are core/cross_entropy.h.

#include <algorithm>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/node.h"
#include "ember/autograd/ops/linear_algebra.h"
#include "ember/autograd/ops/nn.h"
#include "ember/core/blas.h"
#include "ember/core/cross_entropy.h"
#include "ember/core/elementwise.h"
#include "ember/core/error.h"
#include "ember/core/precision.h"
#include "ember/core/softmax.h"
#include "ember/core/threads.h"

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

// y += x over n floats (restrict: the loop vectorises).
void add_row(int64_t n, const float* __restrict x, float* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

void check_smoothing(float eps, const char* op) {
  EMBER_CHECK(eps >= 0.0f && eps <= 1.0f, "[{}] label_smoothing {} outside [0, 1]", op, eps);
}

}  // namespace

// Forward keeps the logits rows (no log-probabilities: a second (N, C) array) and each row's
// log-sum-exp; backward writes the gradient into the rows themselves when nothing else holds them
// (the caller dropped the logits), so the loss adds no (N, C) array at all.
Tensor cross_entropy(const Tensor& logits, const IndexArray& target,
                     const CrossEntropyOptions& options) {
  const int64_t ignore = options.ignore_index;
  const float eps = options.label_smoothing;
  check_smoothing(eps, "cross_entropy");
  NDArray rows = as_rows(logits.data(), target, ignore, "cross_entropy");
  const int64_t n = rows.size(0), classes = rows.size(1);
  std::vector<float> lse(static_cast<size_t>(n));
  std::vector<double> per_row(static_cast<size_t>(n), 0.0);
  core::parallel_for(n, n * classes >= core::kParallelElements, [&](int64_t i) {
    const float* x = rows.data() + i * classes;
    const float l = core::log_sum_exp_lane(x, classes);
    lse[static_cast<size_t>(i)] = l;
    if (target[i] != ignore)
      per_row[static_cast<size_t>(i)] = core::cross_entropy_row_loss(x, classes, target[i], l, eps);
  });
  return make_result(
      reduce_rows(per_row, target, ignore, options.reduction), "cross_entropy", {logits},
      [rows = std::move(rows), lse = std::move(lse), target, options, shape = logits.shape()](
          const NDArray& dy, Gradients& g) {
        const std::vector<float> w =
            row_weights(dy, target, options.ignore_index, options.reduction);
        const int64_t n = rows.size(0), classes = rows.size(1);
        const NDArray dx = rows.sole_owner() ? rows : NDArray::empty(rows.shape());
        core::parallel_for(n, n * classes >= core::kParallelElements, [&](int64_t i) {
          const size_t r = static_cast<size_t>(i);
          core::cross_entropy_row_gradient(rows.data() + i * classes, classes, target[i], lse[r],
                                           options.label_smoothing, w[r], dx.data() + i * classes);
        });
        g.set(0, dx.view(shape));
      });
}

// Rows go through in chunks of about 2^21 logits (8 MiB): a chunk's logits are computed, turned
// into their gradient in place (for an upstream gradient of 1) and multiplied out into dx, dW and
// db before the next chunk reuses the buffer. Backward only scales those by the upstream scalar.
// Under bf16 products the chunks are four times larger: the bf16 kernel rounds and packs the
// weight again for each product (core/gemm_bf16.h), twice per chunk, and on W1 (8,000 classes,
// 1,536 rows) two chunks instead of six made the step 1.018 times as fast for 32 MiB more;
// oneDNN's float32 products gained nothing (docs/performance.md, "The output layer's chunks").
Tensor linear_cross_entropy(const Tensor& input, const Tensor& weight, const Tensor& bias,
                            const IndexArray& target, const CrossEntropyOptions& options) {
  const int64_t chunk_elements =
      int64_t{1} << (core::matmul_precision() == core::MatmulPrecision::bf16 ? 23 : 21);
  EMBER_CHECK(input.dim() >= 1 && weight.dim() == 2 && input.size(-1) == weight.size(1),
              "[linear_cross_entropy] input {} does not match weight {} (expected (..., {}))",
              core::shape_str(input.shape()), core::shape_str(weight.shape()),
              weight.dim() == 2 ? weight.size(1) : -1);
  EMBER_CHECK(!bias.defined() || bias.shape() == Shape{weight.size(0)},
              "[linear_cross_entropy] bias {} does not match weight {}",
              core::shape_str(bias.shape()), core::shape_str(weight.shape()));
  if (options.reduction == Reduction::kNone)  // one upstream gradient per row: nothing to fold
    return cross_entropy(linear(input, weight, bias), target, options);
  const int64_t ignore = options.ignore_index;
  const float eps = options.label_smoothing;
  check_smoothing(eps, "linear_cross_entropy");
  const int64_t classes = weight.size(0), width = weight.size(1);
  const Shape lead(input.shape().begin(), input.shape().end() - 1);
  EMBER_CHECK(target.shape() == lead,
              "[linear_cross_entropy] target {} does not match input {} (expected {})",
              core::shape_str(target.shape()), core::shape_str(input.shape()),
              core::shape_str(lead));
  int64_t count = 0;
  for (int64_t i = 0; i < target.numel(); ++i) {
    EMBER_CHECK(target[i] == ignore || (target[i] >= 0 && target[i] < classes),
                "[linear_cross_entropy] target {} out of range for {} classes", target[i], classes);
    count += target[i] != ignore;
  }
  const NDArray x = input.data().reshape({-1, width}).contiguous();
  const NDArray w = weight.data().contiguous();
  const NDArray b = bias.defined() ? bias.data().contiguous() : NDArray();
  const int64_t n = x.size(0);
  const bool grad = is_grad_enabled();
  const bool want_x = grad && input.requires_grad(), want_w = grad && weight.requires_grad();
  const bool want_b = grad && bias.defined() && bias.requires_grad();
  const bool any = want_x || want_w || want_b;
  // Each row's weight in the loss's gradient (dL/dloss = 1): 1/count for the mean, 1 for the sum.
  const float row_weight = options.reduction == Reduction::kMean ? 1.0f / static_cast<float>(count) : 1.0f;
  NDArray dx = want_x ? NDArray::empty({n, width}) : NDArray();
  NDArray dw = want_w ? NDArray::empty(weight.shape()) : NDArray();
  NDArray db = want_b ? NDArray::zeros({classes}) : NDArray();
  const int64_t chunk = std::clamp<int64_t>(chunk_elements / std::max<int64_t>(classes, 1), 1,
                                            std::max<int64_t>(n, 1));
  NDArray logits = NDArray::empty({chunk, classes});
  std::vector<double> per_row(static_cast<size_t>(n), 0.0);
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t rows = std::min(chunk, n - start);
    const float* xs = x.data() + start * width;
    float* z = logits.data();
    core::gemm(false, true, rows, classes, width, 1.0f, xs, width, w.data(), width, 0.0f, z, classes);
    core::parallel_for(rows, rows * classes >= core::kParallelElements, [&](int64_t i) {
      float* zi = z + i * classes;
      if (b.defined())
        add_row(classes, b.data(), zi);
      const int64_t t = target[start + i];
      const size_t r = static_cast<size_t>(start + i);
      if (t == ignore) {
        if (any) std::fill(zi, zi + classes, 0.0f);
      } else if (any) {
        per_row[r] = core::cross_entropy_row_loss_and_gradient(zi, classes, t, eps, row_weight);
      } else {
        per_row[r] =
            core::cross_entropy_row_loss(zi, classes, t, core::log_sum_exp_lane(zi, classes), eps);
      }
    });
    if (want_x)
      core::gemm(false, false, rows, width, classes, 1.0f, z, classes, w.data(), width, 0.0f,
                 dx.data() + start * width, width);
    if (want_w)  // dW += dZ^T X over the chunks
      core::gemm(true, false, classes, width, rows, 1.0f, z, classes, xs, width,
                 start == 0 ? 0.0f : 1.0f, dw.data(), width);
    if (want_b)
      for (int64_t i = 0; i < rows; ++i)
        add_row(classes, z + i * classes, db.data());
  }
  if (n == 0 && want_w) dw.fill_(0.0f);
  std::vector<Tensor> inputs{input, weight};
  if (bias.defined()) inputs.push_back(bias);
  return make_result(reduce_rows(per_row, target, ignore, options.reduction),
                     "linear_cross_entropy", inputs,
                     [dx, dw, db, has_bias = bias.defined(), shape = input.shape()](
                         const NDArray& dy, Gradients& g) {
                       const float scale = dy.item();
                       const auto scaled = [scale](const NDArray& d) {
                         return scale == 1.0f ? d : core::mul_scalar(d, scale);
                       };
                       if (g.wants(0)) g.set(0, scaled(dx).view(shape));
                       if (g.wants(1)) g.set(1, scaled(dw));
                       if (has_bias && g.wants(2)) g.set(2, scaled(db));
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
