#include "ember/autograd/tensor.h"

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/node.h"
#include "ember/autograd/ops/reduction.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/core/random.h"

namespace ember {

void backward_from(const Tensor& root, const NDArray& upstream);  // engine.cpp

Tensor::Tensor(NDArray data, bool requires_grad) : impl_(std::make_shared<TensorImpl>()) {
  EMBER_CHECK(data.defined(), "[Tensor] cannot wrap an undefined array");
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
}

Tensor Tensor::zeros(const Shape& shape, bool rg) { return Tensor(NDArray::zeros(shape), rg); }
Tensor Tensor::ones(const Shape& shape, bool rg) { return Tensor(NDArray::ones(shape), rg); }
Tensor Tensor::full(const Shape& shape, float value, bool rg) {
  return Tensor(NDArray::full(shape, value), rg);
}
Tensor Tensor::scalar(float value) { return Tensor(NDArray::scalar(value)); }
Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape, bool rg) {
  return Tensor(NDArray::from_vector(values, shape), rg);
}
Tensor Tensor::randn(const Shape& shape, bool rg) {
  return Tensor(core::default_generator().normal(shape), rg);
}
Tensor Tensor::rand(const Shape& shape, bool rg) {
  return Tensor(core::default_generator().uniform(shape), rg);
}

const NDArray& Tensor::data() const {
  EMBER_CHECK(defined(), "[Tensor] use of an undefined tensor");
  return impl_->data;
}

bool Tensor::requires_grad() const {
  return defined() && (impl_->requires_grad || impl_->grad_fn != nullptr);
}

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  EMBER_CHECK(is_leaf(), "[set_requires_grad] only leaves can change requires_grad");
  impl_->requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_leaf() const { return data().defined() && impl_->grad_fn == nullptr; }

const NDArray& Tensor::grad() const {
  data();
  return impl_->grad;
}

void Tensor::set_grad(const NDArray& grad) {
  EMBER_CHECK(!grad.defined() || grad.shape() == shape(),
              "[set_grad] gradient of shape {} for a tensor of shape {}",
              core::shape_str(grad.shape()), core::shape_str(shape()));
  impl_->grad = grad;
}

void Tensor::zero_grad() { impl_->grad = NDArray(); }

const std::shared_ptr<Node>& Tensor::grad_fn() const {
  data();
  return impl_->grad_fn;
}

void Tensor::backward() const {
  EMBER_CHECK(numel() == 1,
              "[backward] without an upstream gradient needs a one-element tensor, got shape {}",
              core::shape_str(shape()));
  backward_from(*this, NDArray::ones(shape()));
}

void Tensor::backward(const NDArray& upstream) const { backward_from(*this, upstream); }

Tensor Tensor::detach() const { return Tensor(data()); }

Tensor Tensor::reshape(const Shape& shape) const { return ember::reshape(*this, shape); }
Tensor Tensor::transpose(int64_t d0, int64_t d1) const { return ember::transpose(*this, d0, d1); }
Tensor Tensor::permute(const std::vector<int64_t>& order) const {
  return ember::permute(*this, order);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return ember::narrow(*this, dim, start, length);
}
Tensor Tensor::select(int64_t dim, int64_t index) const { return ember::select(*this, dim, index); }
Tensor Tensor::unsqueeze(int64_t dim) const { return ember::unsqueeze(*this, dim); }
Tensor Tensor::squeeze(int64_t dim) const { return ember::squeeze(*this, dim); }
Tensor Tensor::expand(const Shape& shape) const { return ember::expand(*this, shape); }
Tensor Tensor::contiguous() const { return ember::contiguous(*this); }
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const {
  return ember::sum(*this, dims, keepdim);
}
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const {
  return ember::mean(*this, dims, keepdim);
}

Tensor make_result(NDArray output, const char* op, const std::vector<Tensor>& inputs,
                   BackwardFn backward) {
  bool any = false;
  if (is_grad_enabled())
    for (const Tensor& t : inputs) any = any || t.requires_grad();
  Tensor result(std::move(output));
  if (!any) return result;
  auto node = std::make_shared<Node>();
  node->op = op;
  node->backward = std::move(backward);
  node->edges.reserve(inputs.size());
  for (const Tensor& t : inputs) {
    Edge e;
    if (t.requires_grad()) {
      if (t.grad_fn()) e.node = t.grad_fn();
      else e.leaf = t;
      e.shape = t.shape();
    }
    if (t.defined()) {
      e.storage = t.data().storage_observer();
      e.version = t.data().version();
    }
    node->edges.push_back(std::move(e));
  }
  result.impl()->grad_fn = std::move(node);
  return result;
}

}  // namespace ember
