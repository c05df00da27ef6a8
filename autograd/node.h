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
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "autograd/tensor.h"

namespace ember {

// Where a gradient goes: the node that made a non-leaf input, or a leaf that requires grad.
// Both empty when the input needs no gradient.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  Shape shape;  // the input's shape; a gradient must have it
  bool wants_grad() const { return node != nullptr || leaf != nullptr; }
};

// The gradients a backward function produces, one slot per input.
class Gradients {
 public:
  Gradients(const char* op, const std::vector<Edge>& edges);
  bool wants(size_t input) const;  // false: skip computing it
  // Sets (or, if set before, adds to) the gradient of input i; its shape must be the input's.
  void set(size_t input, NDArray grad);
  // Adds a @ b (both 2-D) to the gradient of input i. When that input's gradient summed so far
  // (a leaf's .grad, or the incoming gradient of the node that made it) is contiguous and held
  // by nobody else, BLAS adds the product into it (beta = 1): no temporary, no extra pass. A
  // weight used at every step of a decoder loop then costs one product per step, not a product,
  // a zeroed temporary and a sum.
  void add_product(size_t input, const NDArray& a, const NDArray& b);
  // Adds grad to part(G), where G is input i's gradient and part picks a view of it (a select or
  // narrow of an array of the input's shape). Into the gradient summed so far when it is
  // contiguous and held by nobody else; otherwise into a new zero array. A decoder reading one
  // step of a (T, B, E) array at each of T steps then costs T small sums, not T zero-filled
  // (T, B, E) arrays and T full sums.
  void add_to_part(size_t input, const std::function<NDArray(const NDArray&)>& part,
                   const NDArray& grad);
  std::vector<NDArray>& values() { return grads_; }

 private:
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
