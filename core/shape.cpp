#include "ember/core/shape.h"

#include <ostream>

#include "ember/core/error.h"

namespace ember::core {

std::string shape_str(const Shape& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) { return out << shape_str(shape); }

namespace {

[[noreturn, gnu::cold, gnu::noinline]] void throw_bad_shape(const Shape& shape, const char* op) {
  for (int64_t s : shape)
    EMBER_CHECK(s >= 0, "[{}] negative size in shape {}", op, shape_str(shape));
  throw Error(fmt::format("[{}] shape {} has more than 2^63 - 1 elements", op, shape_str(shape)));
}

}  // namespace

int64_t numel_of(const Shape& shape, const char* op) {
  int64_t n = 1;
  bool zero = false;
  for (int64_t s : shape) {
    if (s > 0) {
      if (__builtin_mul_overflow(n, s, &n)) throw_bad_shape(shape, op);
    } else if (s == 0) {
      zero = true;  // still multiply the others: the strides of (0, 2^40, 2^40) would overflow
    } else {
      throw_bad_shape(shape, op);
    }
  }
  return zero ? 0 : n;
}

int64_t checked_add(int64_t a, int64_t b, const char* op) {
  int64_t r = 0;
  EMBER_CHECK(!__builtin_add_overflow(a, b, &r), "[{}] {} + {} does not fit in 64 bits", op, a, b);
  return r;
}

int64_t checked_mul(int64_t a, int64_t b, const char* op) {
  int64_t r = 0;
  EMBER_CHECK(!__builtin_mul_overflow(a, b, &r), "[{}] {} * {} does not fit in 64 bits", op, a, b);
  return r;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

namespace {

// dim counted from the end when negative; in [0, rank) when valid.
int64_t wrap_dim(int64_t dim, int64_t rank) { return dim < 0 ? dim + rank : dim; }

}  // namespace

int64_t normalize_dim(int64_t dim, const Shape& shape, const char* op) {
  const auto rank = static_cast<int64_t>(shape.size());
  const int64_t d = wrap_dim(dim, rank);
  EMBER_CHECK(d >= 0 && d < rank, "[{}] dim {} out of range for shape {}", op, dim,
              shape_str(shape));
  return d;
}

int64_t normalize_dim(int64_t dim, int64_t rank, const char* op) {
  const int64_t d = wrap_dim(dim, rank);
  EMBER_CHECK(d >= 0 && d < rank, "[{}] dim {} out of range for a tensor of rank {}", op, dim, rank);
  return d;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t sa = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t sb = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    EMBER_CHECK(sa == sb || sa == 1 || sb == 1, "[{}] shapes {} and {} cannot be broadcast", op,
                shape_str(a), shape_str(b));
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

Shape infer_shape(const Shape& shape, int64_t numel, const char* op) {
  Shape out = shape;
  int infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      EMBER_CHECK(infer_at < 0, "[{}] only one -1 allowed in shape {}", op, shape_str(shape));
      infer_at = static_cast<int>(i);
      out[i] = 1;
    } else {
      EMBER_CHECK(out[i] >= 0, "[{}] negative size in shape {}", op, shape_str(shape));
    }
  }
  const int64_t known = numel_of(out, op);  // the -1 counted as 1; throws past 2^63 - 1
  if (infer_at >= 0) {
    EMBER_CHECK(known != 0 && numel % known == 0, "[{}] cannot view {} elements as {}", op, numel,
                shape_str(shape));
    out[infer_at] = numel / known;
  }
  EMBER_CHECK(numel_of(out, op) == numel, "[{}] cannot view {} elements as {}", op, numel,
              shape_str(shape));
  return out;
}

}  // namespace ember::core
