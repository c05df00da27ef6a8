// The graph that backward() walks, and the one function every differentiable op calls.
//
// An op computes its output NDArray, then hands make_result() the output, its inputs and a
// backward function. The backward function gets dL/d(output) and writes dL/d(input i) for the
// inputs that want one — this is also how a user defines a new differentiable op without editing
// ember (docs/autograd.md, examples/custom_op.cpp):
//
//   Tensor square(const Tensor& x) {                       // y = x^2,  dx = 2 x dy
//     NDArray xd = x.data();
//     return make_result(core::mul(xd, xd), "square", {x}, [xd](const NDArray& dy, Gradients& g) {
//       g.set(0, core::mul_scalar(core::mul(xd, dy), 2.0f));
//     });
//   }
//
// The backward function must capture only what it needs (never the output Tensor: a cycle), and
// computes on NDArrays, so no graph is recorded inside backward (there is no double backward).
// An op's several results are views of one output array: see "Ops with several outputs" in
// docs/autograd.md.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "ember/autograd/tensor.h"

namespace ember {

// One input of an op. Where its gradient goes: the node that made a non-leaf input, or a leaf
// that requires grad (both empty when the input needs no gradient). And the version of its
// storage when the op used it: backward refuses to run the op's backward function once the
// values were written in place since (core::NDArray::version), as PyTorch does.
struct Edge {
  std::shared_ptr<Node> node;
  Tensor leaf;  // undefined unless the input is a leaf that requires grad
  Shape shape;  // the input's shape when it wants a gradient; a gradient must have it
  std::weak_ptr<core::Storage> storage;  // the input's values, not kept alive
  uint64_t version = 0;
  bool wants_grad() const { return node != nullptr || leaf.defined(); }
};

// The gradients a backward function produces, one slot per input.
class Gradients {
 public:
  Gradients(const char* op, const std::vector<Edge>& edges);
  size_t size() const { return grads_.size(); }  // the op's number of inputs
  bool wants(size_t input) const;  // false: skip computing it
  // Sets (or, if set before, adds to) the gradient of input i; its shape must be the input's.
  void set(size_t input, NDArray grad);

 private:
  // autograd/gradients_internal.h: the engine's access, and the in-place paths of ember's own ops.
  friend class GradientsInternal;
  NDArray* summed_in_place(size_t input);

  const char* op_;
  const std::vector<Edge>& edges_;
  std::vector<NDArray> grads_;
};

using BackwardFn = std::function<void(const NDArray& grad_output, Gradients& grads)>;

struct Node {
  const char* op;
  std::vector<Edge> edges;
  BackwardFn backward;  // released once run
  NDArray grad_output;  // summed over every use of the output during a backward pass
};

// Wraps an op's output: records a Node when grad mode is on and some input requires a gradient,
// otherwise returns a plain tensor (and drops `backward` unused).
Tensor make_result(NDArray output, const char* op, const std::vector<Tensor>& inputs,
                   BackwardFn backward);

}  // namespace ember
