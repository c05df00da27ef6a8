// A gradient checker for any differentiable function of Tensors, ember's or the user's own.
// It compares backward() with central differences of L(x) = sum(f(x) * u) for a random upstream
// u, element by element, and reports the worst element.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ember/autograd/tensor.h"

namespace ember {

struct GradcheckOptions {
  float eps = 1e-2f;   // finite-difference step (float32: larger steps beat rounding noise)
  float atol = 1e-2f;  // |analytic - numeric| <= atol + rtol * |numeric|
  float rtol = 1e-2f;
  uint64_t seed = 7;   // for the upstream u
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_err = 0.0;
  std::string message;  // the worst element: input, index, analytic and numeric values
};

// f must be deterministic (reseed any generator inside it). Every input with requires_grad is
// checked; their data is perturbed in place and restored. The check runs its own backward from
// cleared gradients, and every leaf input gets back the .grad it had before the call (none if
// it had none), also when f throws: gradcheck leaves the inputs as it found them.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace ember
