#include "autograd/gradcheck.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "core/error.h"
#include "core/random.h"

namespace ember {
namespace {

// L = sum(f(x) * u) in double.
double objective(const Tensor& y, const NDArray& u) {
  const std::vector<float> yv = y.to_vector(), uv = u.to_vector();
  double total = 0.0;
  for (size_t i = 0; i < yv.size(); ++i) total += static_cast<double>(yv[i]) * uv[i];
  return total;
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  for (Tensor x : inputs)  // a copy shares the tensor: this clears the caller's gradients
    if (x.is_leaf()) x.zero_grad();
  const Tensor y = f(inputs);
  core::Generator gen(options.seed);
  const NDArray u = gen.normal(y.shape());
  y.backward(u);

  GradcheckResult result;
  double worst_score = 0.0;
  NoGradGuard no_grad;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    if (!x.requires_grad()) continue;
    EMBER_CHECK(x.data().is_contiguous(), "[gradcheck] input {} must be contiguous", k);
    const NDArray analytic = x.grad().defined() ? x.grad().contiguous() : NDArray::zeros(x.shape());
    float* p = x.data().data();
    for (int64_t j = 0; j < x.numel(); ++j) {
      const float saved = p[j];
      p[j] = saved + options.eps;
      const double plus = objective(f(inputs), u);
      p[j] = saved - options.eps;
      const double minus = objective(f(inputs), u);
      p[j] = saved;
      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double got = analytic.data()[j];
      const double err = std::abs(got - numeric);
      // score > 1 means outside the tolerance; the message names the element with the worst score
      const double score = err / (options.atol + options.rtol * std::abs(numeric));
      result.max_abs_err = std::max(result.max_abs_err, err);
      if (score > worst_score) {
        worst_score = score;
        result.message = fmt::format("input {} element {}: analytic {} numeric {} (abs err {})", k,
                                     j, got, numeric, err);
      }
    }
  }
  result.ok = worst_score <= 1.0;
  return result;
}

}  // namespace ember
