// ember::Tensor — what users write: a cheap shared handle to an NDArray, its gradient, and the
// Node that made it. Ops on Tensors record a graph when some input requires a gradient (and
// no_grad is not active); backward() walks that graph in reverse topological order.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/ndarray.h"

namespace ember {

using core::IndexArray;
using core::NDArray;
using core::Shape;

struct Node;

struct TensorImpl {
  NDArray data;
  NDArray grad;  // undefined until a backward pass reaches this leaf
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;  // null for leaves
};

class Tensor {
 public:
  Tensor() = default;  // undefined
  explicit Tensor(NDArray data, bool requires_grad = false);

  static Tensor zeros(const Shape& shape, bool requires_grad = false);
  static Tensor ones(const Shape& shape, bool requires_grad = false);
  static Tensor full(const Shape& shape, float value, bool requires_grad = false);
  static Tensor scalar(float value);
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape,
                            bool requires_grad = false);
  static Tensor randn(const Shape& shape, bool requires_grad = false);  // default generator
  static Tensor rand(const Shape& shape, bool requires_grad = false);   // uniform [0, 1)

  bool defined() const { return impl_ != nullptr; }
  // The values. Writing through this (e.g. an optimizer step) bypasses autograd.
  const NDArray& data() const;
  const Shape& shape() const { return data().shape(); }
  int64_t dim() const { return data().dim(); }
  int64_t size(int64_t d) const { return data().size(d); }
  int64_t numel() const { return data().numel(); }
  float item() const { return data().item(); }
  std::vector<float> to_vector() const { return data().to_vector(); }

  // A leaf with requires_grad gets .grad from backward(); an op result requires grad when any
  // input does. set_requires_grad is for leaves only.
  bool requires_grad() const;
  Tensor& set_requires_grad(bool requires_grad);
  bool is_leaf() const;
  const NDArray& grad() const;  // undefined (defined() false) before the first backward
  void set_grad(const NDArray& grad);
  void zero_grad();  // drops the gradient; the next backward starts from zero
  const std::shared_ptr<Node>& grad_fn() const;

  // Backpropagates from this scalar (gradient 1), or from any shape with an explicit upstream
  // gradient of the same shape. The graph is freed as it goes: a second backward through the
  // same graph is an error.
  void backward() const;
  void backward(const NDArray& upstream) const;

  Tensor detach() const;  // same data, no history, no gradient

  // Method forms of the most common ops (see autograd/ops/*.h for all of them).
  Tensor reshape(const Shape& shape) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor permute(const std::vector<int64_t>& order) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze(int64_t dim) const;
  Tensor expand(const Shape& shape) const;
  Tensor contiguous() const;
  Tensor sum(const std::vector<int64_t>& dims = {}, bool keepdim = false) const;
  Tensor mean(const std::vector<int64_t>& dims = {}, bool keepdim = false) const;

  TensorImpl* impl() const { return impl_.get(); }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// PyTorch's printout of a tensor, with the shape added (docs/tensors.md):
//   tensor([[0.1000, 0.2000]], shape=(1, 2), requires_grad=True)
//   tensor(0.5000, shape=(), grad_fn=<sum>)      (grad_fn names the op that made it)
// summarised with "..." beyond 1000 elements. Also `std::cout << t` and fmt::format("{}", t).
std::string to_string(const Tensor& t);
std::ostream& operator<<(std::ostream& out, const Tensor& t);

}  // namespace ember

template <>
struct fmt::formatter<ember::Tensor>
    : ember::core::StringFormatter<ember::Tensor, ember::to_string> {};
