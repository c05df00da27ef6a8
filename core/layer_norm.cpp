#include "ember/core/layer_norm.h"

#include <cmath>

#include "ember/core/error.h"
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
  parallel_for(rows, x.numel() >= kParallelElements, [&](int64_t i) {
    const float* row = px + i * d;
    double sum = 0.0, sq = 0.0;
    for (int64_t j = 0; j < d; ++j) sum += row[j];
    const double mu = sum / static_cast<double>(d);
    for (int64_t j = 0; j < d; ++j) sq += (row[j] - mu) * (row[j] - mu);
    const float rstd = static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(d) + eps));
    const float m = static_cast<float>(mu);
    for (int64_t j = 0; j < d; ++j) py[i * d + j] = (row[j] - m) * rstd * pw[j] + pb[j];
    pm[i] = m;
    pr[i] = rstd;
  });
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
  parallel_for(rows, x.numel() >= kParallelElements, [&](int64_t i) {
    const float *gy = pdy + i * d, *row = px + i * d;
    double mean_g = 0.0, mean_gx = 0.0;  // mean(dxhat), mean(dxhat * xhat)
    for (int64_t j = 0; j < d; ++j) {
      const float xhat = (row[j] - pm[i]) * pr[i];
      mean_g += gy[j] * pw[j];
      mean_gx += gy[j] * pw[j] * xhat;
    }
    mean_g /= static_cast<double>(d);
    mean_gx /= static_cast<double>(d);
    for (int64_t j = 0; j < d; ++j) {
      const float xhat = (row[j] - pm[i]) * pr[i];
      pdx[i * d + j] = pr[i] * (gy[j] * pw[j] - static_cast<float>(mean_g) -
                                xhat * static_cast<float>(mean_gx));
    }
  });
  float *pdw = g.dweight.data(), *pdb = g.dbias.data();
  for (int64_t i = 0; i < rows; ++i) {  // serial: every row adds into the same (D) sums
    for (int64_t j = 0; j < d; ++j) {
      const float xhat = (px[i * d + j] - pm[i]) * pr[i];
      pdw[j] += pdy[i * d + j] * xhat;
      pdb[j] += pdy[i * d + j];
    }
  }
  return g;
}

}  // namespace ember::core
