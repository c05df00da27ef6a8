#include "ember/core/additive_score.h"

#include <cassert>

#include "ember/core/fast_math.h"
#include "ember/core/reduce.h"
#include "ember/core/threads.h"

namespace ember::core {
namespace {

// v . tanh(k + q) over one key row of width a: eight partial sums, so the loop vectorises
// without reassociating one float sum.
float row_score(int64_t a, const float* __restrict k, const float* __restrict q,
                const float* __restrict v) {
  float partial[8] = {};
  int64_t j = 0;
  for (; j + 8 <= a; j += 8)
    for (int l = 0; l < 8; ++l) partial[l] += v[j + l] * fast_tanh(k[j + l] + q[j + l]);
  float total = 0.0f;
  for (; j < a; ++j) total += v[j] * fast_tanh(k[j] + q[j]);
  for (float p : partial) total += p;
  return total;
}

// One key row's backward for the upstream de_r = d: with t = tanh(k + q),
// dk = d v (1 - t^2), dq += dk, dv += d t.
void row_backward(int64_t a, const float* __restrict k, const float* __restrict q,
                  const float* __restrict v, float d, float* __restrict dk, float* __restrict dq,
                  float* __restrict dv) {
  for (int64_t j = 0; j < a; ++j) {
    const float t = fast_tanh(k[j] + q[j]);
    dk[j] = d * v[j] * (1.0f - t * t);
    dq[j] += dk[j];
    dv[j] += d * t;
  }
}

}  // namespace

NDArray additive_scores(const NDArray& q, const NDArray& k, const NDArray& v) {
  assert(q.is_contiguous() && k.is_contiguous() && v.is_contiguous());
  const int64_t batch = k.size(0), n = k.size(1), a = k.size(2);
  NDArray e = NDArray::empty({batch, n});
  parallel_for(batch * n, batch * n * a >= kParallelElements, [&](int64_t r) {
    e.data()[r] = row_score(a, k.data() + r * a, q.data() + (r / n) * a, v.data());
  });
  return e;
}

AdditiveScoreGrads additive_scores_backward(const NDArray& de, const NDArray& q, const NDArray& k,
                                            const NDArray& v) {
  assert(q.is_contiguous() && k.is_contiguous() && v.is_contiguous());
  const int64_t batch = k.size(0), n = k.size(1), a = k.size(2);
  const NDArray d = de.contiguous();
  NDArray dk = NDArray::empty(k.shape());
  NDArray dq = NDArray::zeros({batch, a});
  NDArray dv_rows = NDArray::zeros({batch, a});  // dv per batch row, summed after the loop
  parallel_for(batch, batch * n * a >= kParallelElements, [&](int64_t b) {
    const float* qb = q.data() + b * a;
    float* dqb = dq.data() + b * a;
    float* dvb = dv_rows.data() + b * a;
    for (int64_t r = b * n; r < (b + 1) * n; ++r)
      row_backward(a, k.data() + r * a, qb, v.data(), d.data()[r], dk.data() + r * a, dqb, dvb);
  });
  return {dq, dk, sum(dv_rows, {0})};
}

}  // namespace ember::core
