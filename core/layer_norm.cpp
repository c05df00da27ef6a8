#include "ember/core/layer_norm.h"

#include "ember/core/error.h"
#include "ember/core/isa/kernel_table.h"
#include "ember/core/threads.h"

namespace ember::core {

LayerNormResult layer_norm(const NDArray& x, const NDArray& weight, const NDArray& bias, float eps) {
  const int64_t d = x.size(-1);
  EMBER_CHECK(weight.shape() == Shape{d} && bias.shape() == Shape{d},
              "[layer_norm] input {} needs weight and bias of shape ({},), got {} and {}",
              shape_str(x.shape()), d, shape_str(weight.shape()), shape_str(bias.shape()));
  const NDArray xc = x.contiguous(), w = weight.contiguous(), b = bias.contiguous();
  const int64_t rows = d == 0 ? 0 : x.numel() / d;
  LayerNormResult r{NDArray::empty(x.shape()), NDArray::empty({rows}), NDArray::empty({rows})};
  const float *px = xc.data(), *pw = w.data(), *pb = b.data();
  float *py = r.y.data(), *pm = r.mean.data(), *pr = r.rstd.data();
  const auto row = kernels().layer_norm_row;
  parallel_for(rows, x.numel() >= kParallelElements,
               [&](int64_t i) { row(px + i * d, pw, pb, d, eps, py + i * d, pm + i, pr + i); });
  return r;
}

LayerNormGrads layer_norm_backward(const NDArray& dy, const NDArray& x, const NDArray& weight,
                                   const NDArray& mean, const NDArray& rstd) {
  const int64_t d = x.size(-1), rows = mean.numel();
  const NDArray dyc = dy.contiguous(), xc = x.contiguous(), w = weight.contiguous();
  LayerNormGrads g{NDArray::empty(x.shape()), NDArray::zeros({d}), NDArray::zeros({d})};
  const float *pdy = dyc.data(), *px = xc.data(), *pw = w.data();
  const float *pm = mean.data(), *pr = rstd.data();
  float* pdx = g.dx.data();
  const KernelTable& k = kernels();
  parallel_for(rows, x.numel() >= kParallelElements, [&](int64_t i) {
    k.layer_norm_backward_row(pdy + i * d, px + i * d, pw, pm[i], pr[i], d, pdx + i * d);
  });
  // serial: every row adds into the same (D) sums
  k.layer_norm_param_grads(pdy, px, pm, pr, rows, d, g.dweight.data(), g.dbias.data());
  return g;
}

}  // namespace ember::core
