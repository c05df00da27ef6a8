#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ember/core/additive_score.h"
#include "ember/core/random.h"

using namespace ember::core;

// The kernels against the plain formulas in double, at a width with both paths of the row kernels
// (blocks of sixteen and the tail) and a size that runs over the threads:
//   e_bj = v . tanh(q_b + k_bj);  dk_bj = de_bj v (1 - t_bj^2);  dq_b = sum_j dk_bj;
//   dv = sum_bj de_bj t_bj
TEST_CASE("additive_scores and its backward equal their formulas") {
  Generator gen(3);
  const int64_t batch = 64, n = 24, a = 37;
  const NDArray q = gen.normal({batch, a}), k = gen.normal({batch, n, a}), v = gen.normal({a});
  const NDArray de = gen.normal({batch, n});
  const NDArray e = additive_scores(q, k, v);
  const AdditiveScoreGrads g = additive_scores_backward(de, q, k, v);
  std::vector<double> dv(static_cast<size_t>(a), 0.0);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<double> dq(static_cast<size_t>(a), 0.0);
    for (int64_t j = 0; j < n; ++j) {
      double score = 0.0;
      for (int64_t i = 0; i < a; ++i) {
        const double t = std::tanh(static_cast<double>(q.at({b, i})) + k.at({b, j, i}));
        const double dk = de.at({b, j}) * v.at({i}) * (1.0 - t * t);
        score += v.at({i}) * t;
        dq[static_cast<size_t>(i)] += dk;
        dv[static_cast<size_t>(i)] += de.at({b, j}) * t;
        CHECK(g.dk.at({b, j, i}) == doctest::Approx(dk).epsilon(1e-5).scale(1));
      }
      CHECK(e.at({b, j}) == doctest::Approx(score).epsilon(1e-5).scale(1));
    }
    for (int64_t i = 0; i < a; ++i)
      CHECK(g.dq.at({b, i}) == doctest::Approx(dq[static_cast<size_t>(i)]).epsilon(1e-4).scale(1));
  }
  for (int64_t i = 0; i < a; ++i)
    CHECK(g.dv.at({i}) == doctest::Approx(dv[static_cast<size_t>(i)]).epsilon(1e-4).scale(1));
}
