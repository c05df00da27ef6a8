#include "ember/core/additive_score.h"

#include <cassert>

#include "ember/core/isa/kernel_table.h"
#include "ember/core/reduce.h"
#include "ember/core/threads.h"

namespace ember::core {

NDArray additive_scores(const NDArray& q, const NDArray& k, const NDArray& v) {
  assert(q.is_contiguous() && k.is_contiguous() && v.is_contiguous());
  const int64_t batch = k.size(0), n = k.size(1), a = k.size(2);
  NDArray e = NDArray::empty({batch, n});
  const auto row_score = kernels().additive_score.row;  // core/isa/additive_score_kernels.inc
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
  const auto row_backward = kernels().additive_score.row_backward;
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
