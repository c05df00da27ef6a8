// NDArray: an n-dimensional float32 array — a shared Storage plus shape, strides and offset.
// Views (reshape of a contiguous array, permute, transpose, narrow, select, expand, unsqueeze)
// share the storage and copy nothing; contiguous() and clone() copy. Knows nothing of gradients.
#pragma once

#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/allocator.h"
#include "ember/core/shape.h"
#include "ember/core/string_formatter.h"

namespace ember::core {

class NDArray {
 public:
  NDArray() = default;  // undefined: no storage (defined() is false)

  static NDArray empty(const Shape& shape);  // uninitialised, contiguous
  static NDArray zeros(const Shape& shape);
  static NDArray ones(const Shape& shape);
  static NDArray full(const Shape& shape, float value);
  static NDArray scalar(float value);  // shape ()
  static NDArray from_vector(const std::vector<float>& values, const Shape& shape);
  static NDArray arange(int64_t n);  // 0, 1, ..., n-1

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const;  // d may be negative
  int64_t numel() const { return numel_of(shape_); }
  bool is_contiguous() const;

  // Pointer to the first element (storage + offset). Elements are at data()[sum_i idx_i*stride_i].
  float* data() const { return storage_->data() + offset_; }
  float item() const;                                  // the value of a one-element array
  float at(std::initializer_list<int64_t> index) const;  // one element, for tests and examples
  std::vector<float> to_vector() const;                // row-major copy of every element

  // Views: share storage with *this.
  NDArray view(const Shape& shape) const;  // contiguous arrays only; one -1 may be inferred
  NDArray permute(const std::vector<int64_t>& order) const;
  NDArray transpose(int64_t d0, int64_t d1) const;
  NDArray narrow(int64_t dim, int64_t start, int64_t length) const;
  NDArray select(int64_t dim, int64_t index) const;  // removes `dim`
  NDArray expand(const Shape& shape) const;          // broadcast view: stride 0 on expanded dims
  NDArray unsqueeze(int64_t dim) const;
  NDArray squeeze(int64_t dim) const;  // dim must have size 1

  // View when the layout allows it, otherwise a contiguous copy.
  NDArray reshape(const Shape& shape) const;
  NDArray contiguous() const;  // *this if already contiguous
  NDArray clone() const;       // always a fresh contiguous copy

  // In place on the elements (const: the handle is unchanged; the storage is written through the
  // strides, so a view writes into the array it views). Each one counts as a new version.
  void fill_(float value) const;
  void copy_(const NDArray& src) const;              // src broadcast to this shape
  void add_(const NDArray& src, float alpha = 1.0f) const;  // this += alpha * src, src broadcast
  void mul_(float factor) const;

  // The number of in-place writes to the storage so far, shared by every view of it. Autograd
  // records it when an op uses the array and refuses a backward pass after it changed. Writes
  // through data() are not counted: code that writes that way after the array was used (an
  // optimizer step) calls mark_modified().
  uint64_t version() const { return storage_->version(); }
  void mark_modified() const { storage_->bump_version(); }
  // Observes the storage without keeping it alive (autograd's check of a used input).
  std::weak_ptr<Storage> storage_observer() const { return storage_; }

  bool shares_storage_with(const NDArray& other) const { return storage_ == other.storage_; }
  // No other array or view holds this storage: writing to it in place changes nothing else.
  bool sole_owner() const { return storage_.use_count() == 1; }

 private:
  NDArray(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset);

  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Shape strides_;
  int64_t offset_ = 0;
};

// PyTorch's printout of the values with "array" for "tensor" and the shape added:
//   array([[0.1000, 0.2000],
//          [0.3000, 0.4000]], shape=(2, 2))
// summarised with "..." beyond 1000 elements (core/format.h). Also `std::cout << a` and
// fmt::format("{}", a).
std::string to_string(const NDArray& a);
std::ostream& operator<<(std::ostream& out, const NDArray& a);

// Integer data (token ids, targets, gather/select indices): a contiguous int64 array with a
// shape. Kept apart from NDArray so that float code never sees integers; it has no views and no
// gradient. Boolean masks are NDArrays of 0/1 (1 = masked out), as PyTorch's True.
class IndexArray {
 public:
  IndexArray() = default;
  IndexArray(std::vector<int64_t> values, Shape shape);
  explicit IndexArray(std::vector<int64_t> values);  // 1-D

  const Shape& shape() const { return shape_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const;
  int64_t numel() const { return static_cast<int64_t>(values_.size()); }
  const int64_t* data() const { return values_.data(); }
  int64_t* data() { return values_.data(); }
  const std::vector<int64_t>& values() const { return values_; }
  int64_t operator[](int64_t i) const { return values_[static_cast<size_t>(i)]; }
  IndexArray reshape(const Shape& shape) const;

 private:
  std::vector<int64_t> values_;
  Shape shape_;
};

}  // namespace ember::core

template <>
struct fmt::formatter<ember::core::NDArray>
    : ember::core::StringFormatter<ember::core::NDArray, ember::core::to_string> {};
