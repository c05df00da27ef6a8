// Uses the installed headers and libraries (ember::ember and ember::seq2seq): a gradient through
// linear and tanh, a tensor and a module printed, and BLEU scored by the seq2seq library.
#include <ember/ember.h>
#include <ember/seq2seq/metrics/bleu.h>

#include <cmath>
#include <cstdio>
#include <iostream>

int main() {
  ember::Tensor x = ember::Tensor::from_vector({1, 2}, {1, 2}, true);
  ember::Tensor w = ember::Tensor::from_vector({0.5f, -0.5f}, {1, 2}, true);
  ember::tanh(ember::linear(x, w)).sum().backward();
  std::cout << w << '\n' << w.grad() << '\n';  // a Tensor, then its gradient (an NDArray)

  ember::nn::Linear layer(2, 3);
  std::cout << layer << '\n';

  // sacreBLEU: BLEU("the cat sat on the mat", ["the cat sat on the mat"]) = 100.
  const ember::seq2seq::BleuScore bleu =
      ember::seq2seq::corpus_bleu({"the cat sat on the mat"}, {{"the cat sat on the mat"}});
  std::printf("%s\n", bleu.format().c_str());
  return w.grad().at({0, 0}) > 0.0f && std::abs(bleu.score - 100.0) < 1e-9 ? 0 : 1;
}
