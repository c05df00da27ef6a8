#include "ember/autograd/gradcheck.h"

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/core/random.h"

namespace ember {
namespace {

// L = sum(f(x) * u) in double.
double objective(const Tensor& y, const NDArray& u) {
  const std::vector<float> yv = y.to_vector(), uv = u.to_vector();
  double total = 0.0;
  for (size_t i = 0; i < yv.size(); ++i) total += static_cast<double>(yv[i]) * uv[i];
  return total;
}

// Clears the leaf inputs' gradients for the check and gives each back the gradient it had
// (undefined included) when the check ends, by return or by exception.
class GradientsRestorer {
 public:
  explicit GradientsRestorer(const std::vector<Tensor>& inputs) : inputs_(inputs) {
    for (Tensor x : inputs_) {  // a copy shares the tensor: this clears the caller's gradient
      saved_.push_back(x.grad());
      if (x.is_leaf()) x.zero_grad();
    }
  }
  ~GradientsRestorer() {
    for (size_t k = 0; k < inputs_.size(); ++k) {
      Tensor x = inputs_[k];
      if (x.is_leaf()) x.set_grad(saved_[k]);
    }
  }
  GradientsRestorer(const GradientsRestorer&) = delete;
  GradientsRestorer& operator=(const GradientsRestorer&) = delete;

 private:
  const std::vector<Tensor>& inputs_;
  std::vector<NDArray> saved_;
};

// Holds element j of an array at its value during f's evaluation at a perturbed point; restores
// it on any exit. Each write is a new version of the array (NDArray::mark_modified), so what
// keys on the version (a packed weight, core/weight_pack.h) sees it.
class RestoreValue {
 public:
  RestoreValue(const NDArray& array, int64_t j)
      : array_(array), p_(array.data() + j), saved_(*p_) {}
  ~RestoreValue() { set(saved_); }
  RestoreValue(const RestoreValue&) = delete;
  RestoreValue& operator=(const RestoreValue&) = delete;
  float saved() const { return saved_; }
  void set(float value) const {
    *p_ = value;
    array_.mark_modified();
  }

 private:
  NDArray array_;
  float* p_;
  float saved_;
};

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  const GradientsRestorer restore_gradients(inputs);
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
    for (int64_t j = 0; j < x.numel(); ++j) {
      const RestoreValue restore(x.data(), j);
      restore.set(restore.saved() + options.eps);
      const double plus = objective(f(inputs), u);
      restore.set(restore.saved() - options.eps);
      const double minus = objective(f(inputs), u);
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
