// Helpers shared by the optimizer tests.
#pragma once

#include <vector>

#include "ember/autograd/tensor.h"

namespace ember::testing {

// The value of a one-element parameter after one Opt step per gradient, each set as its grad.
template <class Opt, class Options>
std::vector<float> run_steps(const Options& options, float p0, const std::vector<float>& grads) {
  Tensor p = Tensor::from_vector({p0}, {1}, true);
  Opt opt({p}, options);
  std::vector<float> out;
  for (float g : grads) {
    p.set_grad(NDArray::from_vector({g}, {1}));
    opt.step();
    out.push_back(p.item());
  }
  return out;
}

}  // namespace ember::testing
