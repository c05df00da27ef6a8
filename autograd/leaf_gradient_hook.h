// A callback from the backward engine when a leaf's gradient is final for the backward pass in
// progress: every node that sends the leaf a gradient has run. Data-parallel training
// (distributed/data_parallel.h) starts reducing a bucket of gradients as soon as all of its
// parameters are final, while the rest of backward still computes.
//
//   {
//     LeafGradientHookGuard guard([&](const Tensor& leaf) { ... leaf.grad() is final ... });
//     loss.backward();
//   }
//
// The hook is called once per leaf that has a gradient after the pass, on the thread that runs
// backward, in the order the gradients become final. Without a hook the engine does no extra
// work.
#pragma once

#include <functional>

#include "ember/autograd/tensor.h"

namespace ember {

using LeafGradientHook = std::function<void(const Tensor& leaf)>;

// Installs a hook for the backward passes this thread runs while the guard lives; the previous
// hook (usually none) is restored when it goes.
class LeafGradientHookGuard {
 public:
  explicit LeafGradientHookGuard(LeafGradientHook hook);
  ~LeafGradientHookGuard();
  LeafGradientHookGuard(const LeafGradientHookGuard&) = delete;
  LeafGradientHookGuard& operator=(const LeafGradientHookGuard&) = delete;

 private:
  LeafGradientHook previous_;
};

}  // namespace ember
