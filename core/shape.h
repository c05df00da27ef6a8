// Shapes, strides and broadcasting rules (NumPy's): the vocabulary every array op speaks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::core {

using Shape = std::vector<int64_t>;

// "(2, 3, 4)"; "()" for a scalar.
std::string shape_str(const Shape& shape);

// Product of the sizes (1 for a scalar).
int64_t numel_of(const Shape& shape);

// Row-major strides of a contiguous array of this shape.
Shape contiguous_strides(const Shape& shape);

// Maps a possibly negative dim into [0, rank); throws "[op] dim d out of range for shape ...".
int64_t normalize_dim(int64_t dim, int64_t rank, const char* op);

// NumPy broadcasting: sizes are aligned from the right; each pair must be equal or contain a 1.
// Throws "[op] shapes (..) and (..) cannot be broadcast".
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Replaces a single -1 in `shape` by the size that makes numel match; checks the product.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op);

}  // namespace ember::core
