#include "ember/autograd/ops/attention.h"

#include "ember/autograd/node.h"
#include "ember/core/additive_score.h"
#include "ember/core/blas.h"
#include "ember/core/blas_layout.h"
#include "ember/core/error.h"
#include "ember/core/softmax.h"
#include "ember/core/threads.h"

namespace ember {
namespace {

// ---- per-head products ------------------------------------------------------------------------

// Where head columns [col, col + D) of batch row b start in m, a (B, L, E) array read row-major
// (unit column stride, so a column offset is an element offset).
const float* head_at(const core::BlasMatrix& m, int64_t b, int64_t col) {
  return m.array.data() + b * m.array.strides()[0] + col;
}

// C (m, n) = alpha * A (m, k) @ op(B), op(B) = B^T when trans_b: one GEMM, or one GEMV when m = 1
// (a decoder step), which BLAS does several times faster than a one-row GEMM.
void product(bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
             int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
  if (m == 1)
    core::gemv(!trans_b, trans_b ? n : k, trans_b ? k : n, alpha, b, ldb, a, 1, 0.0f, c, 1);
  else
    core::gemm(false, trans_b, m, n, k, alpha, a, lda, b, ldb, 0.0f, c, ldc);
}

// body(b, h) for every batch row b and head h, over the threads when the heads' products add up
// to kParallelMacs multiply-adds (each product is too small to split on its own).
template <class Body>
void for_each_head(int64_t batch, int64_t heads, int64_t macs_per_head, Body&& body) {
  core::parallel_for(batch * heads, batch * heads * macs_per_head >= core::kParallelMacs,
                     [&](int64_t bh) { body(bh / heads, bh % heads); });
}

}  // namespace

// ---- additive_scores --------------------------------------------------------------------------

Tensor additive_scores(const Tensor& qp, const Tensor& kp, const Tensor& v) {
  EMBER_CHECK(qp.dim() == 2 && kp.dim() == 3 && v.dim() == 1 && kp.size(0) == qp.size(0) &&
                  kp.size(2) == qp.size(1) && v.size(0) == qp.size(1),
              "[additive_scores] expected qp (B, A), kp (B, n, A), v (A), got {}, {}, {}",
              core::shape_str(qp.shape()), core::shape_str(kp.shape()), core::shape_str(v.shape()));
  const NDArray q = qp.data().contiguous(), k = kp.data().contiguous(), w = v.data().contiguous();
  return make_result(core::additive_scores(q, k, w), "additive_scores", {qp, kp, v},
                     [q, k, w](const NDArray& de, Gradients& g) {
                       core::AdditiveScoreGrads d = core::additive_scores_backward(de, q, k, w);
                       g.set(0, d.dq);
                       g.set(1, d.dk);
                       g.set(2, d.dv);
                     });
}

// ---- attention_probs and attend_values --------------------------------------------------------

Tensor attention_probs(const Tensor& q, const Tensor& k, int64_t num_heads, const NDArray& mask,
                       float scale) {
  EMBER_CHECK(q.dim() == 3 && k.dim() == 3 && q.size(0) == k.size(0) && q.size(2) == k.size(2) &&
                  num_heads > 0 && q.size(2) % num_heads == 0,
              "[attention_probs] expected q (B, T, E), k (B, S, E) with E divisible by {} heads, "
              "got {} and {}",
              num_heads, core::shape_str(q.shape()), core::shape_str(k.shape()));
  const int64_t batch = q.size(0), t = q.size(1), s = k.size(1), heads = num_heads;
  const int64_t d = q.size(2) / heads;
  const core::BlasMatrix qm = core::blas_matrix(q.data(), false);
  const core::BlasMatrix km = core::blas_matrix(k.data(), false);
  NDArray p = NDArray::empty({batch, heads, t, s});
  for_each_head(batch, heads, t * s * d, [&](int64_t b, int64_t h) {  // S_bh = scale Q_bh K_bh^T
    product(true, t, s, d, scale, head_at(qm, b, h * d), qm.ld, head_at(km, b, h * d), km.ld,
            p.data() + (b * heads + h) * t * s, s);
  });
  core::masked_softmax_(p, mask, 1.0f);  // checks the mask's shape
  return make_result(
      p, "attention_probs", {q, k}, [p, qm, km, scale](const NDArray& dp, Gradients& g) {
        const int64_t batch = p.size(0), heads = p.size(1), t = p.size(2), s = p.size(3);
        const int64_t e = qm.array.size(2), d = e / heads;
        const NDArray ds = core::softmax_backward(p, dp, -1, scale);
        NDArray dq = g.wants(0) ? NDArray::empty({batch, t, e}) : NDArray();
        NDArray dk = g.wants(1) ? NDArray::empty({batch, s, e}) : NDArray();
        for_each_head(batch, heads, 2 * t * s * d, [&](int64_t b, int64_t h) {
          const float* dsp = ds.data() + (b * heads + h) * t * s;
          if (dq.defined())  // dQ_bh = dS K_bh
            product(false, t, d, s, 1.0f, dsp, s, head_at(km, b, h * d), km.ld,
                    dq.data() + b * t * e + h * d, e);
          if (dk.defined())  // dK_bh = dS^T Q_bh
            core::gemm(true, false, s, d, t, 1.0f, dsp, s, head_at(qm, b, h * d), qm.ld, 0.0f,
                       dk.data() + b * s * e + h * d, e);
        });
        if (dq.defined()) g.set(0, dq);
        if (dk.defined()) g.set(1, dk);
      });
}

Tensor attend_values(const Tensor& probs, const Tensor& v) {
  EMBER_CHECK(probs.dim() == 4 && v.dim() == 3 && probs.size(0) == v.size(0) &&
                  probs.size(3) == v.size(1) && v.size(2) % probs.size(1) == 0,
              "[attend_values] expected probs (B, H, T, S) and v (B, S, E) with E divisible by H, "
              "got {} and {}",
              core::shape_str(probs.shape()), core::shape_str(v.shape()));
  const int64_t batch = probs.size(0), heads = probs.size(1), t = probs.size(2), s = probs.size(3);
  const int64_t e = v.size(2), d = e / heads;
  const NDArray p = probs.data().contiguous();
  const core::BlasMatrix vm = core::blas_matrix(v.data(), false);
  NDArray o = NDArray::empty({batch, t, e});
  for_each_head(batch, heads, t * s * d, [&](int64_t b, int64_t h) {  // O_bh = P_bh V_bh
    product(false, t, d, s, 1.0f, p.data() + (b * heads + h) * t * s, s, head_at(vm, b, h * d),
            vm.ld, o.data() + b * t * e + h * d, e);
  });
  return make_result(o, "attend_values", {probs, v}, [p, vm](const NDArray& dout, Gradients& g) {
    const int64_t batch = p.size(0), heads = p.size(1), t = p.size(2), s = p.size(3);
    const int64_t e = vm.array.size(2), d = e / heads;
    const NDArray dy = dout.contiguous();
    NDArray dp = g.wants(0) ? NDArray::empty(p.shape()) : NDArray();
    NDArray dv = g.wants(1) ? NDArray::empty({batch, s, e}) : NDArray();
    for_each_head(batch, heads, 2 * t * s * d, [&](int64_t b, int64_t h) {
      const float* dyp = dy.data() + b * t * e + h * d;
      const int64_t off = (b * heads + h) * t * s;
      if (dp.defined())  // dP_bh = dO_bh V_bh^T
        product(true, t, s, d, 1.0f, dyp, e, head_at(vm, b, h * d), vm.ld, dp.data() + off, s);
      if (dv.defined())  // dV_bh = P_bh^T dO_bh
        core::gemm(true, false, s, d, t, 1.0f, p.data() + off, s, dyp, e, 0.0f,
                   dv.data() + b * s * e + h * d, e);
    });
    if (dp.defined()) g.set(0, dp);
    if (dv.defined()) g.set(1, dv);
  });
}

}  // namespace ember
