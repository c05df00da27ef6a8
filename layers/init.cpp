#include "ember/layers/init.h"

#include <cmath>

#include "ember/core/error.h"

namespace ember::nn::init {

void uniform_(const Tensor& t, float bound, core::Generator& gen) {
  EMBER_CHECK(bound >= 0.0f, "[init] uniform_ bound must be >= 0, got {} for a tensor {}", bound,
              core::shape_str(t.shape()));
  t.data().copy_(gen.uniform(t.shape(), -bound, bound));
}

void normal_(const Tensor& t, float mean, float stddev, core::Generator& gen) {
  EMBER_CHECK(stddev >= 0.0f, "[init] normal_ std must be >= 0, got {} for a tensor {}", stddev,
              core::shape_str(t.shape()));
  t.data().copy_(gen.normal(t.shape(), mean, stddev));
}

void zeros_(const Tensor& t) { t.data().fill_(0.0f); }

void ones_(const Tensor& t) { t.data().fill_(1.0f); }

int64_t fan_in(const Shape& shape) {
  EMBER_CHECK(!shape.empty(), "[init] fan_in needs at least one dim, got {}",
              core::shape_str(shape));
  if (shape.size() == 1) return shape[0];
  int64_t receptive = 1;
  for (size_t d = 2; d < shape.size(); ++d) receptive *= shape[d];
  return shape[1] * receptive;
}

void kaiming_uniform_(const Tensor& w, float a, core::Generator& gen) {
  const int64_t fan = fan_in(w.shape());
  EMBER_CHECK(fan > 0, "[init] kaiming_uniform_ needs a non-zero fan-in, got a tensor {}",
              core::shape_str(w.shape()));
  const double gain = std::sqrt(2.0 / (1.0 + static_cast<double>(a) * a));
  uniform_(w, static_cast<float>(gain * std::sqrt(3.0 / static_cast<double>(fan))), gen);
}

float bias_bound(int64_t fan_in) {
  return fan_in > 0 ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in))) : 0.0f;
}

}  // namespace ember::nn::init
