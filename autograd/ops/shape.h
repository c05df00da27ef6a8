// Views and joins. Views share the input's storage; their backward maps the gradient back through
// the inverse view (transpose back, pad a narrowed slice with zeros, sum an expanded dim).
#pragma once

#include <vector>

#include "ember/autograd/tensor.h"

namespace ember {

Tensor reshape(const Tensor& x, const Shape& shape);  // one -1 may be inferred
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1);
Tensor permute(const Tensor& x, const std::vector<int64_t>& order);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor contiguous(const Tensor& x);

Tensor cat(const std::vector<Tensor>& xs, int64_t dim);
Tensor stack(const std::vector<Tensor>& xs, int64_t dim);
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim);  // equal pieces

}  // namespace ember
