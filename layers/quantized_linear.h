// Products of layers whose weights are quantized to int8 for decoding (Module::quantize_int8;
// the scheme is core/int8_gemm.h's: int8 weights per output channel, activations per row).
//   y = x W[first : first + count]^T + bias      x (..., K) -> y (..., count), no gradient
#pragma once

#include <cstdint>
#include <memory>

#include "ember/autograd/tensor.h"
#include "ember/core/int8_gemm.h"

namespace ember::nn {

using Int8Weight = std::shared_ptr<const core::Int8Matrix>;

// weight (O, I) quantized once, from its current values.
Int8Weight quantize_weight(const Tensor& weight, const char* tag);

// The product above; bias (count) or undefined. Throws "[tag]" when grad mode is on (a quantized
// layer is for inference: no gradient goes through int8 weights) or x is not (..., K).
Tensor quantized_linear(const Tensor& x, const core::Int8Matrix& w, int64_t first, int64_t count,
                        const Tensor& bias, const char* tag);

}  // namespace ember::nn
