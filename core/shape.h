// Shapes, strides and broadcasting rules (NumPy's): the vocabulary every array op speaks.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "ember/core/string_formatter.h"

namespace ember::core {

// The sizes of an array's dims, outermost first: a std::vector<int64_t> (every vector operation
// works on it, and a vector converts to it) with a type of its own, so that it prints.
struct Shape : std::vector<int64_t> {
  using std::vector<int64_t>::vector;
  Shape() = default;
  Shape(const std::vector<int64_t>& sizes) : std::vector<int64_t>(sizes) {}  // NOLINT: implicit
  Shape(std::vector<int64_t>&& sizes) : std::vector<int64_t>(std::move(sizes)) {}  // NOLINT
};

// "(2, 3, 4)", "(5,)"; "()" for a scalar (Python's tuple). Also what `std::cout << shape` and
// fmt::format("{}", shape) print.
std::string shape_str(const Shape& shape);
std::ostream& operator<<(std::ostream& out, const Shape& shape);

// Product of the sizes (1 for a scalar). Throws "[op] negative size in shape ..." for a size < 0
// and "[op] shape ... has more than 2^63 - 1 elements" when the product of its non-zero sizes
// does not fit int64 (then neither would its strides). Cheap: one checked multiply a dim.
int64_t numel_of(const Shape& shape, const char* op = "shape");

// Row-major strides of a contiguous array of this shape (one that numel_of accepts).
Shape contiguous_strides(const Shape& shape);

// a + b and a * b for sizes and indices; throw "[op] a + b (or a * b) does not fit in 64 bits"
// instead of wrapping around.
int64_t checked_add(int64_t a, int64_t b, const char* op);
int64_t checked_mul(int64_t a, int64_t b, const char* op);

// Maps a possibly negative dim into [0, rank) of an array of this shape; throws
// "[op] dim d out of range for shape (2, 3)".
int64_t normalize_dim(int64_t dim, const Shape& shape, const char* op);
// The same for a rank alone (a dim of a shape not built yet: unsqueeze, stack); throws
// "[op] dim d out of range for a tensor of rank r".
int64_t normalize_dim(int64_t dim, int64_t rank, const char* op);

// NumPy broadcasting: sizes are aligned from the right; each pair must be equal or contain a 1.
// Throws "[op] shapes (..) and (..) cannot be broadcast".
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Replaces a single -1 in `shape` by the size that makes numel match; checks the product (without
// overflow) and refuses other negative sizes.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op);

}  // namespace ember::core

template <>
struct fmt::formatter<ember::core::Shape>
    : ember::core::StringFormatter<ember::core::Shape, ember::core::shape_str> {};
