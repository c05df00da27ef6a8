// Not for users: what the engine and ember's own ops reach inside Gradients (autograd/node.h).
// A custom op needs only Gradients::wants and Gradients::set; these are speed paths that write
// into the gradient summed so far, and they rely on the engine's bookkeeping.
#pragma once

#include <functional>
#include <vector>

#include "ember/autograd/node.h"

namespace ember {

class GradientsInternal {
 public:
  // Every slot set by the backward function, one per input (undefined where none was set).
  static std::vector<NDArray>& values(Gradients& g) { return g.grads_; }

  // Adds a @ b (both 2-D) to the gradient of input i. When that input's gradient summed so far
  // (a leaf's .grad, or the incoming gradient of the node that made it) is contiguous and held
  // by nobody else, BLAS adds the product into it (beta = 1): no temporary, no extra pass. A
  // weight used at every step of a decoder loop then costs one product per step, not a product,
  // a zeroed temporary and a sum.
  static void add_product(Gradients& g, size_t input, const NDArray& a, const NDArray& b);

  // Adds grad to part(G), where G is input i's gradient and part picks a view of it (a select or
  // narrow of an array of the input's shape). Into the gradient summed so far when it is
  // contiguous and held by nobody else; otherwise into a new zero array. A decoder reading one
  // step of a (T, B, E) array at each of T steps then costs T small sums, not T zero-filled
  // (T, B, E) arrays and T full sums.
  static void add_to_part(Gradients& g, size_t input,
                          const std::function<NDArray(const NDArray&)>& part, const NDArray& grad);

  // Adds row i of src to row index[i] of input i's gradient (a (V, E) table: an embedding's
  // weight), leaving out the rows whose index is `skip`; into the gradient summed so far or a
  // new zero array, as add_to_part. A tied embedding, whose gradient the output layer has
  // written already, then costs its rows only, not a zero-filled (V, E) array and a (V, E) sum.
  static void add_rows(Gradients& g, size_t input, const IndexArray& index, const NDArray& src,
                       int64_t skip);

 private:
  // Calls add(G) with G the input's gradient summed so far when it is contiguous and held by
  // nobody else, else with a new zero array of the input's shape that becomes its gradient.
  static void add_into(Gradients& g, size_t input, const std::function<void(const NDArray&)>& add);
};

}  // namespace ember
