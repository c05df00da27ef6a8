#include "ember/core/ndarray.h"

#include <algorithm>
#include <cstring>

#include "ember/core/error.h"
#include "ember/core/strided.h"

namespace ember::core {
namespace {

// "[start, end)" for messages; "[start, start + length)" when the end does not fit int64.
std::string range_str(int64_t start, int64_t length) {
  int64_t end = 0;
  if (__builtin_add_overflow(start, length, &end))
    return fmt::format("[{}, {} + {})", start, start, length);
  return fmt::format("[{}, {})", start, end);
}

}  // namespace

NDArray::NDArray(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset)
    : storage_(std::move(storage)),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset) {}

NDArray NDArray::empty(const Shape& shape) {
  const int64_t n = numel_of(shape, "empty");  // refuses negative sizes and 64-bit overflow
  std::shared_ptr<Storage> storage;
  try {
    storage = std::make_shared<Storage>(std::max<int64_t>(n, 1));
  } catch (const Error& e) {  // the allocator names the bytes; add the shape
    throw Error(fmt::format("{} (an array of shape {})", e.what(), shape_str(shape)));
  }
  return NDArray(std::move(storage), shape, contiguous_strides(shape), 0);
}

NDArray NDArray::zeros(const Shape& shape) { return full(shape, 0.0f); }
NDArray NDArray::ones(const Shape& shape) { return full(shape, 1.0f); }

NDArray NDArray::full(const Shape& shape, float value) {
  NDArray out = empty(shape);
  out.fill_(value);
  return out;
}

NDArray NDArray::scalar(float value) { return full({}, value); }

NDArray NDArray::from_vector(const std::vector<float>& values, const Shape& shape) {
  EMBER_CHECK(static_cast<int64_t>(values.size()) == numel_of(shape),
              "[from_vector] {} values do not fill shape {}", values.size(), shape_str(shape));
  NDArray out = empty(shape);
  std::copy(values.begin(), values.end(), out.data());
  return out;
}

NDArray NDArray::arange(int64_t n) {
  NDArray out = empty({n});
  for (int64_t i = 0; i < n; ++i) out.data()[i] = static_cast<float>(i);
  return out;
}

int64_t NDArray::size(int64_t d) const { return shape_[normalize_dim(d, shape_, "size")]; }

bool NDArray::is_contiguous() const {
  int64_t expected = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] != 1 && strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

float NDArray::item() const {
  EMBER_CHECK(numel() == 1, "[item] needs exactly one element, got shape {}", shape_str(shape_));
  return *data();
}

float NDArray::at(std::initializer_list<int64_t> index) const {
  EMBER_CHECK(static_cast<int64_t>(index.size()) == dim(), "[at] {} indices for shape {}",
              index.size(), shape_str(shape_));
  int64_t off = 0;
  size_t d = 0;
  for (int64_t i : index) {
    EMBER_CHECK(i >= 0 && i < shape_[d], "[at] index {} out of range for dim {} of shape {}", i,
                d, shape_str(shape_));
    off += i * strides_[d++];
  }
  return data()[off];
}

std::vector<float> NDArray::to_vector() const {
  const NDArray c = contiguous();
  return std::vector<float>(c.data(), c.data() + c.numel());
}

NDArray NDArray::view(const Shape& shape) const {
  EMBER_CHECK(is_contiguous(), "[view] needs a contiguous array, got shape {} strides {}",
              shape_str(shape_), shape_str(strides_));
  Shape s = infer_shape(shape, numel(), "view");
  Shape st = contiguous_strides(s);
  return NDArray(storage_, std::move(s), std::move(st), offset_);
}

NDArray NDArray::reshape(const Shape& shape) const {
  if (is_contiguous()) return view(shape);
  Shape s = infer_shape(shape, numel(), "reshape");
  return s == shape_ ? *this : clone().view(s);
}

NDArray NDArray::permute(const std::vector<int64_t>& order) const {
  EMBER_CHECK(static_cast<int64_t>(order.size()) == dim(), "[permute] order of {} dims for shape {}",
              order.size(), shape_str(shape_));
  Shape s(order.size()), st(order.size());
  std::vector<bool> seen(order.size(), false);
  for (size_t i = 0; i < order.size(); ++i) {
    const int64_t d = normalize_dim(order[i], shape_, "permute");
    EMBER_CHECK(!seen[d], "[permute] dim {} repeated in order for shape {}", d, shape_str(shape_));
    seen[d] = true;
    s[i] = shape_[d];
    st[i] = strides_[d];
  }
  return NDArray(storage_, std::move(s), std::move(st), offset_);
}

NDArray NDArray::transpose(int64_t d0, int64_t d1) const {
  std::vector<int64_t> order(shape_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::swap(order[normalize_dim(d0, shape_, "transpose")],
            order[normalize_dim(d1, shape_, "transpose")]);
  return permute(order);
}

NDArray NDArray::narrow(int64_t d, int64_t start, int64_t length) const {
  d = normalize_dim(d, shape_, "narrow");
  // start <= size - length: start + length could wrap around (narrow(0, INT64_MAX, 2)).
  EMBER_CHECK(start >= 0 && length >= 0 && start <= shape_[d] - length,
              "[narrow] range {} out of bounds for dim {} of shape {}", range_str(start, length),
              d, shape_str(shape_));
  Shape s = shape_;
  s[d] = length;
  return NDArray(storage_, std::move(s), strides_, offset_ + start * strides_[d]);
}

NDArray NDArray::select(int64_t d, int64_t index) const {
  d = normalize_dim(d, shape_, "select");
  EMBER_CHECK(index >= 0 && index < shape_[d], "[select] index {} out of range for dim {} of shape {}",
              index, d, shape_str(shape_));
  Shape s = shape_, st = strides_;
  s.erase(s.begin() + d);
  st.erase(st.begin() + d);
  return NDArray(storage_, std::move(s), std::move(st), offset_ + index * strides_[d]);
}

NDArray NDArray::expand(const Shape& shape) const {
  if (shape == shape_) return *this;
  EMBER_CHECK(shape.size() >= shape_.size(), "[expand] cannot expand {} to {}", shape_str(shape_),
              shape_str(shape));
  numel_of(shape, "expand");  // no negative sizes, no more than 2^63 - 1 elements
  const size_t lead = shape.size() - shape_.size();
  Shape st(shape.size(), 0);
  for (size_t i = 0; i < shape_.size(); ++i) {
    const int64_t have = shape_[i], want = shape[lead + i];
    EMBER_CHECK(have == want || have == 1, "[expand] cannot expand {} to {}", shape_str(shape_),
                shape_str(shape));
    st[lead + i] = have == want ? strides_[i] : 0;
  }
  return NDArray(storage_, shape, std::move(st), offset_);
}

NDArray NDArray::unsqueeze(int64_t d) const {
  d = normalize_dim(d, dim() + 1, "unsqueeze");
  Shape s = shape_, st = strides_;
  const int64_t stride = d < dim() ? strides_[d] * shape_[d] : 1;
  s.insert(s.begin() + d, 1);
  st.insert(st.begin() + d, stride);
  return NDArray(storage_, std::move(s), std::move(st), offset_);
}

NDArray NDArray::squeeze(int64_t d) const {
  d = normalize_dim(d, shape_, "squeeze");
  EMBER_CHECK(shape_[d] == 1, "[squeeze] dim {} has size {} in shape {}", d, shape_[d],
              shape_str(shape_));
  return select(d, 0);
}

NDArray NDArray::contiguous() const { return is_contiguous() ? *this : clone(); }

NDArray NDArray::clone() const {
  NDArray out = empty(shape_);
  out.copy_(*this);
  return out;
}

void NDArray::fill_(float value) const {
  mark_modified();
  if (is_contiguous()) {
    std::fill(data(), data() + numel(), value);
    return;
  }
  for_each_row<1>(shape_, {this}, [&](int64_t n, auto p, auto s) {
    for (int64_t i = 0; i < n; ++i) p[0][i * s[0]] = value;
  });
}

void NDArray::copy_(const NDArray& src) const {
  mark_modified();
  const NDArray e = src.expand(shape_);
  if (is_contiguous() && e.is_contiguous()) {
    std::memmove(data(), e.data(), static_cast<size_t>(numel()) * sizeof(float));
    return;
  }
  for_each_row<2>(shape_, {this, &e}, [](int64_t n, auto p, auto s) {
    for (int64_t i = 0; i < n; ++i) p[0][i * s[0]] = p[1][i * s[1]];
  });
}

void NDArray::add_(const NDArray& src, float alpha) const {
  mark_modified();
  const NDArray e = src.expand(shape_);
  for_each_row<2>(shape_, {this, &e}, [alpha](int64_t n, auto p, auto s) {
    if (s[0] == 1 && s[1] == 1) {
      for (int64_t i = 0; i < n; ++i) p[0][i] += alpha * p[1][i];
    } else {
      for (int64_t i = 0; i < n; ++i) p[0][i * s[0]] += alpha * p[1][i * s[1]];
    }
  });
}

void NDArray::mul_(float factor) const {
  mark_modified();
  for_each_row<1>(shape_, {this}, [factor](int64_t n, auto p, auto s) {
    for (int64_t i = 0; i < n; ++i) p[0][i * s[0]] *= factor;
  });
}

IndexArray::IndexArray(std::vector<int64_t> values, Shape shape)
    : values_(std::move(values)), shape_(std::move(shape)) {
  EMBER_CHECK(static_cast<int64_t>(values_.size()) == numel_of(shape_, "IndexArray"),
              "[IndexArray] {} values do not fill shape {}", values_.size(), shape_str(shape_));
}

IndexArray::IndexArray(std::vector<int64_t> values)
    : values_(std::move(values)), shape_{static_cast<int64_t>(values_.size())} {}

int64_t IndexArray::size(int64_t d) const { return shape_[normalize_dim(d, shape_, "size")]; }

IndexArray IndexArray::reshape(const Shape& shape) const {
  return IndexArray(values_, infer_shape(shape, numel(), "reshape"));
}

}  // namespace ember::core
