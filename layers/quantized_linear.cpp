#include "ember/layers/quantized_linear.h"

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/core/shape.h"

namespace ember::nn {

Int8Weight quantize_weight(const Tensor& weight, const char* tag) {
  EMBER_CHECK(weight.defined() && weight.dim() == 2, "[{}] int8 weights must be 2-D, got {}", tag,
              weight.defined() ? core::shape_str(weight.shape()) : std::string("none"));
  const NDArray w = weight.data().contiguous();
  return std::make_shared<const core::Int8Matrix>(
      core::quantize_weights(w.data(), w.size(0), w.size(1), w.size(1), tag));
}

Tensor quantized_linear(const Tensor& x, const core::Int8Matrix& w, int64_t first, int64_t count,
                        const Tensor& bias, const char* tag) {
  EMBER_CHECK(!is_grad_enabled(),
              "[{}] this layer is quantized to int8 for inference and has no gradient: run it "
              "under NoGradGuard (ember train does not take --quantize)",
              tag);
  EMBER_CHECK(x.defined() && x.dim() >= 1 && x.size(-1) == w.cols,
              "[{}] input {} must be (..., {}) for int8 weights ({}, {})", tag,
              x.defined() ? core::shape_str(x.shape()) : std::string("none"), w.cols, w.rows,
              w.cols);
  const NDArray in = x.data().contiguous();
  Shape shape = in.shape();
  shape.back() = count;
  NDArray out = NDArray::empty(shape);
  const int64_t rows = in.numel() / w.cols;
  const NDArray b = bias.defined() ? bias.data().contiguous() : NDArray();
  core::int8_linear(in.data(), rows, w.cols, w, first, count, b.defined() ? b.data() : nullptr,
                    out.data(), count, tag);
  return Tensor(out);
}

}  // namespace ember::nn
