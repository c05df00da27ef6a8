#include "ember/autograd/ops/conv.h"

#include "ember/autograd/node.h"
#include "ember/core/blas.h"
#include "ember/core/error.h"
#include "ember/core/reduce.h"
#include "ember/core/threads.h"

namespace ember {
namespace {

// The sizes of one convolution: x (B, C, L), weight (O, C, K), y (B, O, L_out).
struct ConvSizes {
  int64_t batch, channels, length, out_channels, kernel, out_length;
  int64_t rows() const { return batch * out_length; }  // rows of cols: B L_out
  int64_t width() const { return channels * kernel; }  // columns of cols: C K
};

ConvSizes check_sizes(const Tensor& x, const Tensor& w, const Tensor& b, const Conv1dGeometry& g) {
  EMBER_CHECK(x.dim() == 3 && w.dim() == 3 && x.size(1) == w.size(1),
              "[conv1d] input {} does not match weight {} (expected input (B, C_in, L) and weight "
              "(C_out, C_in, K))",
              core::shape_str(x.shape()), core::shape_str(w.shape()));
  EMBER_CHECK(!b.defined() || b.shape() == Shape{w.size(0)},
              "[conv1d] bias {} does not match weight {}", core::shape_str(b.shape()),
              core::shape_str(w.shape()));
  EMBER_CHECK(g.stride >= 1 && g.dilation >= 1 && g.pad_left >= 0 && g.pad_right >= 0,
              "[conv1d] needs stride >= 1, dilation >= 1 and padding >= 0, got stride {}, "
              "dilation {}, padding ({}, {}) for input {}",
              g.stride, g.dilation, g.pad_left, g.pad_right, core::shape_str(x.shape()));
  ConvSizes s{x.size(0), x.size(1), x.size(2), w.size(0), w.size(2), 0};
  EMBER_CHECK(s.kernel >= 1, "[conv1d] weight {} has no kernel positions",
              core::shape_str(w.shape()));
  // Input positions one output sees, and the padded length; overflow-checked (huge dilation or
  // padding), so that the kernels' position arithmetic below cannot wrap around.
  const int64_t span =
      core::checked_add(core::checked_mul(g.dilation, s.kernel - 1, "conv1d"), 1, "conv1d");
  const int64_t padded = core::checked_add(
      core::checked_add(s.length, g.pad_left, "conv1d"), g.pad_right, "conv1d");
  s.out_length = padded >= span ? (padded - span) / g.stride + 1 : 0;
  EMBER_CHECK(s.kernel >= 1 && s.out_length >= 1,
              "[conv1d] input {} (padded to length {}) is shorter than the span {} of weight {} "
              "with dilation {}",
              core::shape_str(x.shape()), padded, span, core::shape_str(w.shape()), g.dilation);
  return s;
}

// cols[(b, l), (c, k)] = xpad[b, c, l s + k d]; x contiguous (B, C, L) -> cols (B L_out, C K).
NDArray im2col(const NDArray& x, const ConvSizes& s, const Conv1dGeometry& g) {
  NDArray cols = NDArray::empty({s.rows(), s.width()});
  const float* px = x.data();
  float* pc = cols.data();
  core::parallel_for(s.rows(), cols.numel() >= core::kParallelElements, [&](int64_t r) {
    const int64_t b = r / s.out_length, start = (r % s.out_length) * g.stride - g.pad_left;
    float* out = pc + r * s.width();
    for (int64_t c = 0; c < s.channels; ++c) {
      const float* row = px + (b * s.channels + c) * s.length;
      for (int64_t k = 0; k < s.kernel; ++k) {
        const int64_t pos = start + k * g.dilation;
        out[c * s.kernel + k] = pos >= 0 && pos < s.length ? row[pos] : 0.0f;
      }
    }
  });
  return cols;
}

// The adjoint of im2col: dx[b, c, l s + k d - pad_left] += dcols[(b, l), (c, k)], padding dropped.
// Each (b, c) row of dx is written by one thread only.
NDArray col2im(const NDArray& dcols, const ConvSizes& s, const Conv1dGeometry& g) {
  NDArray dx = NDArray::zeros({s.batch, s.channels, s.length});
  const float* pc = dcols.data();
  float* pdx = dx.data();
  core::parallel_for(s.batch * s.channels, dcols.numel() >= core::kParallelElements, [&](int64_t bc) {
    const int64_t b = bc / s.channels, c = bc % s.channels;
    float* row = pdx + bc * s.length;
    for (int64_t l = 0; l < s.out_length; ++l) {
      const float* src = pc + (b * s.out_length + l) * s.width() + c * s.kernel;
      const int64_t start = l * g.stride - g.pad_left;
      for (int64_t k = 0; k < s.kernel; ++k) {
        const int64_t pos = start + k * g.dilation;
        if (pos >= 0 && pos < s.length) row[pos] += src[k];
      }
    }
  });
  return dx;
}

// y[b, o, l] = y_rows[(b, l), o] + bias[o]: (B L_out, O) -> (B, O, L_out).
NDArray rows_to_output(const NDArray& y_rows, const NDArray& bias, const ConvSizes& s) {
  NDArray y = NDArray::empty({s.batch, s.out_channels, s.out_length});
  const NDArray bc = bias.defined() ? bias.contiguous() : NDArray();
  const float* pr = y_rows.data();
  const float* pb = bc.defined() ? bc.data() : nullptr;
  float* py = y.data();
  core::parallel_for(s.batch * s.out_channels, y.numel() >= core::kParallelElements, [&](int64_t bo) {
    const int64_t b = bo / s.out_channels, o = bo % s.out_channels;
    const float shift = pb != nullptr ? pb[o] : 0.0f;
    const float* src = pr + b * s.out_length * s.out_channels + o;
    for (int64_t l = 0; l < s.out_length; ++l)
      py[bo * s.out_length + l] = src[l * s.out_channels] + shift;
  });
  return y;
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              const Conv1dGeometry& geometry) {
  const ConvSizes s = check_sizes(x, weight, bias, geometry);
  const NDArray w = weight.data().contiguous();  // viewed (O, C K)
  NDArray cols = im2col(x.data().contiguous(), s, geometry);
  NDArray y_rows = NDArray::empty({s.rows(), s.out_channels});
  core::gemm(false, true, s.rows(), s.out_channels, s.width(), 1.0f, cols.data(), s.width(),
             w.data(), s.width(), 0.0f, y_rows.data(), s.out_channels);
  NDArray y = rows_to_output(y_rows, bias.defined() ? bias.data() : NDArray(), s);
  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  if (!weight.requires_grad()) cols = NDArray();  // only dW needs the columns
  return make_result(
      y, "conv1d", inputs,
      [s, geometry, w, cols, has_bias = bias.defined()](const NDArray& dy, Gradients& g) {
        const NDArray dy_rows = dy.permute({0, 2, 1}).contiguous();  // (B, L_out, O)
        if (g.wants(0)) {
          NDArray dcols = NDArray::empty({s.rows(), s.width()});
          core::gemm(false, false, s.rows(), s.width(), s.out_channels, 1.0f, dy_rows.data(),
                     s.out_channels, w.data(), s.width(), 0.0f, dcols.data(), s.width());
          g.set(0, col2im(dcols, s, geometry));
        }
        if (g.wants(1)) {
          NDArray dw = NDArray::empty({s.out_channels, s.channels, s.kernel});
          core::gemm(true, false, s.out_channels, s.width(), s.rows(), 1.0f, dy_rows.data(),
                     s.out_channels, cols.data(), s.width(), 0.0f, dw.data(), s.width());
          g.set(1, dw);
        }
        if (has_bias && g.wants(2)) g.set(2, core::sum(dy, {0, 2}));
      });
}

NDArray conv1d_naive(const NDArray& x, const NDArray& weight, const NDArray& bias,
                     const Conv1dGeometry& geometry) {
  const ConvSizes s =
      check_sizes(Tensor(x), Tensor(weight), bias.defined() ? Tensor(bias) : Tensor(), geometry);
  NDArray y = NDArray::zeros({s.batch, s.out_channels, s.out_length});
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t o = 0; o < s.out_channels; ++o)
      for (int64_t l = 0; l < s.out_length; ++l) {
        double acc = bias.defined() ? bias.at({o}) : 0.0;
        for (int64_t c = 0; c < s.channels; ++c)
          for (int64_t k = 0; k < s.kernel; ++k) {
            const int64_t pos = l * geometry.stride + k * geometry.dilation - geometry.pad_left;
            if (pos >= 0 && pos < s.length) acc += weight.at({o, c, k}) * x.at({b, c, pos});
          }
        y.data()[(b * s.out_channels + o) * s.out_length + l] = static_cast<float>(acc);
      }
  return y;
}

}  // namespace ember
