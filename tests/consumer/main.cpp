// Uses the installed headers and library: a gradient through linear and tanh.
#include <ember/ember.h>

#include <cstdio>

int main() {
  ember::Tensor x = ember::Tensor::from_vector({1, 2}, {1, 2}, true);
  ember::Tensor w = ember::Tensor::from_vector({0.5f, -0.5f}, {1, 2}, true);
  ember::tanh(ember::linear(x, w)).sum().backward();
  std::printf("consumer ok: dL/dw = %.4f %.4f\n", w.grad().at({0, 0}), w.grad().at({0, 1}));
  return w.grad().at({0, 0}) > 0.0f ? 0 : 1;
}
