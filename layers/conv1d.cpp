#include "ember/layers/conv1d.h"

#include <cmath>

#include "ember/core/error.h"
#include "ember/layers/init.h"

namespace ember::nn {

Conv1D::Conv1D(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
               const Conv1DOptions& options)
    : options_(options) {
  EMBER_CHECK(in_channels > 0 && out_channels > 0 && kernel_size > 0,
              "[conv1d] in_channels, out_channels and kernel_size must be positive, got ({}, {}, "
              "{})",
              in_channels, out_channels, kernel_size);
  EMBER_CHECK(options.stride >= 1 && options.dilation >= 1 && options.padding >= 0,
              "[conv1d] needs stride >= 1, dilation >= 1, padding >= 0, got {}, {}, {} for a "
              "weight ({}, {}, {})",
              options.stride, options.dilation, options.padding, out_channels, in_channels,
              kernel_size);
  EMBER_CHECK(!options.causal || options.padding == 0,
              "[conv1d] causal mode pads d (K - 1) on the left itself: padding must be 0, got {}",
              options.padding);
  geometry_.stride = options.stride;
  geometry_.dilation = options.dilation;
  const int64_t span = core::checked_add(
      core::checked_mul(options.dilation, kernel_size - 1, "conv1d"), 1, "conv1d");
  core::checked_add(core::checked_add(span, options.padding, "conv1d"), options.padding, "conv1d");
  geometry_.pad_left = options.causal ? span - 1 : options.padding;
  geometry_.pad_right = options.causal ? 0 : options.padding;
  weight_ = register_parameter("weight", Tensor::zeros({out_channels, in_channels, kernel_size}));
  init::kaiming_uniform_(weight_, std::sqrt(5.0f));
  if (options.bias) {
    bias_ = register_parameter("bias", Tensor::zeros({out_channels}));
    init::uniform_(bias_, init::bias_bound(init::fan_in(weight_.shape())));
  }
}

Tensor Conv1D::forward(const Tensor& x) const { return conv1d(x, weight_, bias_, geometry_); }

int64_t Conv1D::output_length(int64_t length) const {
  const int64_t span = geometry_.dilation * (weight_.size(2) - 1) + 1;  // checked by the constructor
  const int64_t padded = core::checked_add(
      core::checked_add(length, geometry_.pad_left, "conv1d"), geometry_.pad_right, "conv1d");
  EMBER_CHECK(padded >= span,
              "[conv1d] length {} (padded to {}) is shorter than the span {} of weight {}", length,
              padded, span, core::shape_str(weight_.shape()));
  return (padded - span) / geometry_.stride + 1;
}

// torch's Conv1d.extra_repr: sizes, then the options that differ from the defaults.
std::string Conv1D::extra_repr() const {
  std::string text = fmt::format("{}, {}, kernel_size=({},), stride=({},)", weight_.size(1),
                                 weight_.size(0), weight_.size(2), options_.stride);
  if (options_.padding != 0) text += fmt::format(", padding=({},)", options_.padding);
  if (options_.dilation != 1) text += fmt::format(", dilation=({},)", options_.dilation);
  if (!options_.bias) text += ", bias=False";
  if (options_.causal) text += ", causal=True";
  return text;
}

}  // namespace ember::nn
