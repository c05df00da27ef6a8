// Parameter initialisation as torch.nn.init does it, drawing from a core::Generator (the default
// generator unless one is passed). Each writes into the tensor's values in place, outside autograd,
// so it works on parameters that require grad.
//
//   fan_in of a weight (O, I, k...) is I * prod(k...) (torch's _calculate_fan_in_and_fan_out)
//   kaiming_uniform_(w, a):  U(-bound, bound),  bound = gain * sqrt(3 / fan_in),
//                            gain = sqrt(2 / (1 + a^2))           (He et al., 2015, eq. 10)
// With a = sqrt(5), torch's default for Linear and Conv1d weights, bound = 1 / sqrt(fan_in); their
// biases are uniform_(b, 1 / sqrt(fan_in)) (bias_bound below).
#pragma once

#include <cstdint>

#include "ember/autograd/tensor.h"
#include "ember/core/random.h"

namespace ember::nn::init {

// torch.nn.init.uniform_(t, -bound, bound): every element from U(-bound, bound).
void uniform_(const Tensor& t, float bound, core::Generator& gen = core::default_generator());

// torch.nn.init.normal_(t, mean, std): every element from N(mean, std^2).
void normal_(const Tensor& t, float mean = 0.0f, float stddev = 1.0f,
             core::Generator& gen = core::default_generator());

// torch.nn.init.zeros_ / ones_: every element 0 (1).
void zeros_(const Tensor& t);
void ones_(const Tensor& t);

// The fan-in of a weight of shape (O, I, k...): I times the receptive field size prod(k...).
// A 1-D shape (I) has fan-in I. Throws "[init]" for a scalar shape.
int64_t fan_in(const Shape& shape);

// torch.nn.init.kaiming_uniform_(w, a) with mode fan_in and leaky_relu gain (formula above).
void kaiming_uniform_(const Tensor& w, float a = 0.0f,
                      core::Generator& gen = core::default_generator());

// torch's bound for the bias of a layer with this fan-in: 1 / sqrt(fan_in), 0 if fan_in is 0.
float bias_bound(int64_t fan_in);

}  // namespace ember::nn::init
