#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/autograd/ops/attention.h"
#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_gradients;

TEST_CASE("additive_scores gradients match finite differences") {
  const auto f = [](const std::vector<Tensor>& in) { return additive_scores(in[0], in[1], in[2]); };
  // Width 3 runs the kernels' tail loop only; 11 also their blocks of eight.
  for (int64_t width : {3, 11}) {
    CAPTURE(width);
    const Tensor qp = Tensor::randn({2, width}, true), kp = Tensor::randn({2, 4, width}, true);
    check_gradients(f, {qp, kp, Tensor::randn({width}, true)});
  }
}

TEST_CASE("attention_probs and attend_values gradients match finite differences") {
  const Tensor qkv = Tensor::randn({2, 3, 12}, true);
  const Tensor k = Tensor::randn({2, 4, 4}, true);
  const NDArray mask = NDArray::from_vector({0, 0, 0, 1, 0, 0, 0, 0}, {2, 1, 1, 4});
  const auto f = [&](const std::vector<Tensor>& in) {  // q: a column slice, as a packed projection
    const Tensor p = attention_probs(narrow(in[0], 2, 4, 4), in[1], 2, mask, 0.7f);
    return attend_values(p, in[2]);
  };
  check_gradients(f, {qkv, k, Tensor::randn({2, 4, 4}, true)});
  // One query (a decoder step: the GEMV path) and a transposed key view (copied for BLAS).
  const Tensor q1 = Tensor::randn({2, 1, 4}, true), kt = Tensor::randn({2, 4, 5}, true);
  const auto g = [](const std::vector<Tensor>& in) {
    const Tensor p = attention_probs(in[0], transpose(in[1], 1, 2), 2, NDArray(), 0.5f);
    return attend_values(p, in[2]);
  };
  check_gradients(g, {q1, kt, Tensor::randn({2, 5, 4}, true)});
}

// P against softmax(scale Q_h K_h^T) with -inf where masked, O against P_h V_h, head by head
// with plain ops.
TEST_CASE("attention_probs and attend_values equal the per-head formula") {
  const int64_t heads = 2, d = 3;
  const Tensor q = Tensor::randn({2, 4, heads * d}), k = Tensor::randn({2, 5, heads * d});
  const Tensor v = Tensor::randn({2, 5, heads * d});
  const NDArray mask = NDArray::from_vector({0, 1, 0, 0, 1, 0, 0, 0, 0, 0}, {2, 1, 1, 5});
  const Tensor p = attention_probs(q, k, heads, mask, 0.25f);
  const Tensor o = attend_values(p, v);
  for (int64_t h = 0; h < heads; ++h) {
    const Tensor qh = narrow(q, 2, h * d, d), kh = narrow(k, 2, h * d, d);
    const Tensor want_p = masked_softmax(matmul(qh, transpose(kh, 1, 2)), mask.squeeze(1), 0.25f);
    testing::check_close(select(p, 1, h).data().contiguous(), want_p.data());
    testing::check_close(narrow(o, 2, h * d, d).data().contiguous(),
                         matmul(want_p, narrow(v, 2, h * d, d)).data());
  }
}

TEST_CASE("attention op errors name the op and every shape") {
  const Tensor x = Tensor::randn({2, 3, 4});
  CHECK_THROWS_WITH_AS(
      additive_scores(Tensor::randn({2, 3}), Tensor::randn({2, 4, 2}), Tensor::randn({3})),
      doctest::Contains("[additive_scores] expected qp (B, A), kp (B, n, A), v (A), "
                        "got (2, 3), (2, 4, 2), (3,)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(
      attention_probs(x, Tensor::randn({2, 3, 6}), 2, NDArray(), 1.0f),
      doctest::Contains("[attention_probs] expected q (B, T, E), k (B, S, E) "
                        "with E divisible by 2 heads, got (2, 3, 4) and (2, 3, 6)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(attention_probs(x, x, 2, NDArray::zeros({2, 4}), 1.0f),
                       doctest::Contains("[masked_softmax] mask (2, 4) does not broadcast to "
                                         "scores (2, 2, 3, 3)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      attend_values(Tensor::randn({2, 2, 3, 3}), Tensor::randn({2, 4, 4})),
      doctest::Contains("[attend_values] expected probs (B, H, T, S) and v (B, S, E) with E "
                        "divisible by H, got (2, 2, 3, 3) and (2, 4, 4)"),
      ember::Error);
}
