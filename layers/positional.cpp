#include "ember/layers/positional.h"

#include <cmath>

#include "ember/autograd/ops/arithmetic.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/layers/init.h"

namespace ember::nn {
namespace {

void check_sizes(int64_t max_len, int64_t d_model) {
  EMBER_CHECK(max_len > 0 && d_model > 0,
              "[positional_encoding] max_len and d_model must be positive, got ({}, {})", max_len,
              d_model);
}

// The rows [start_pos, start_pos + T) of a (max_len, E) table fit x (B, T, E), or throw.
void check_input(const Tensor& x, int64_t start_pos, const Shape& table) {
  EMBER_CHECK(x.dim() == 3 && x.size(2) == table[1],
              "[positional_encoding] input {} must be (B, T, {}) for a table {}",
              core::shape_str(x.shape()), table[1], core::shape_str(table));
  EMBER_CHECK(start_pos >= 0 && start_pos + x.size(1) <= table[0],
              "[positional_encoding] positions [{}, {}) of input {} exceed max_len {} (table {})",
              start_pos, start_pos + x.size(1), core::shape_str(x.shape()), table[0],
              core::shape_str(table));
}

}  // namespace

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(int64_t d_model, int64_t max_len) {
  check_sizes(max_len, d_model);
  table_ = NDArray::empty({max_len, d_model});
  float* p = table_.data();
  for (int64_t pos = 0; pos < max_len; ++pos)
    for (int64_t j = 0; j < d_model; ++j) {
      const int64_t two_i = j - j % 2;  // columns 2i and 2i + 1 share a frequency
      const double angle =
          static_cast<double>(pos) / std::pow(10000.0, static_cast<double>(two_i) / d_model);
      p[pos * d_model + j] = static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
}

Tensor SinusoidalPositionalEncoding::forward(const Tensor& x, int64_t start_pos) const {
  check_input(x, start_pos, table_.shape());
  return x + Tensor(table_.narrow(0, start_pos, x.size(1)));
}

LearnedPositionalEncoding::LearnedPositionalEncoding(int64_t max_len, int64_t d_model) {
  check_sizes(max_len, d_model);
  weight_ = register_parameter("weight", Tensor::zeros({max_len, d_model}));
  init::normal_(weight_);
}

Tensor LearnedPositionalEncoding::forward(const Tensor& x, int64_t start_pos) const {
  check_input(x, start_pos, weight_.shape());
  return x + narrow(weight_, 0, start_pos, x.size(1));
}

}  // namespace ember::nn
