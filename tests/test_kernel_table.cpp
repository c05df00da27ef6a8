// Every elementwise kernel of core/isa/kernel_table.h, at every instruction set this CPU supports
// (each table called directly, whatever EMBER_ISA says), against the plain reference loop written
// here in double precision with the standard library's exp, tanh and sqrt: odd sizes (a partial
// vector at the end of every loop) and strided lanes included.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"
#include "ember/core/isa/kernel_table.h"
#include "ember/core/random.h"
#include "support/products.h"

using namespace ember::core;

namespace {

using ember::testing::supported_isa_levels;

const int64_t kSizes[] = {1, 7, 16, 17, 33, 100, 257};

std::vector<float> normal(Generator& gen, int64_t n, float scale = 1.0f) {
  std::vector<float> v = gen.normal({n}).to_vector();
  for (float& x : v) x *= scale;
  return v;
}

// |got - want| within a relative tolerance plus a small absolute one (for values near zero).
bool close(double got, double want, double tol = 2e-5) {
  return std::abs(got - want) <= tol * (1.0 + std::abs(want));
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

TEST_CASE("kernel_table gives each supported level its own table and refuses the others") {
  CHECK(active_isa() <= cpu_isa());
  CHECK(kernels().isa == active_isa());
  for (Isa isa : supported_isa_levels()) CHECK(kernel_table(isa).isa == isa);
  if (cpu_isa() < Isa::avx512) CHECK_THROWS_AS(kernel_table(Isa::avx512), ember::Error);
  CHECK(isa_name(Isa::avx512) == "avx512");
  CHECK(isa_name(Isa::avx2) == "avx2");
  CHECK(isa_name(Isa::portable) == "portable");
}

TEST_CASE("softmax lane kernels agree with the reference loop at every level") {
  Generator gen(21);
  for (Isa isa : supported_isa_levels()) {
    const KernelTable& k = kernel_table(isa);
    for (int64_t n : kSizes)
      for (int64_t stride : {1, 3})
        for (bool log_space : {false, true})
          for (bool masked : {false, true}) {
            CAPTURE(isa_name(isa));
            CAPTURE(n);
            CAPTURE(stride);
            CAPTURE(log_space);
            CAPTURE(masked);
            const std::vector<float> x = normal(gen, n * stride, 4.0f);
            std::vector<float> mask(static_cast<size_t>(2 * n), 0.0f);
            for (int64_t j = 0; j < n; ++j) mask[2 * j] = masked && j % 3 == 1 ? 1.0f : 0.0f;
            const float scale = 0.7f;
            std::vector<float> y = x;
            k.softmax_lane(y.data(), n, stride, masked ? mask.data() : nullptr, 2, scale,
                           log_space);
            double m = -INFINITY, sum = 0.0;
            for (int64_t j = 0; j < n; ++j)
              if (mask[2 * j] == 0.0f) m = std::max(m, double{scale} * x[j * stride]);
            for (int64_t j = 0; j < n; ++j)
              if (mask[2 * j] == 0.0f) sum += std::exp(double{scale} * x[j * stride] - m);
            int64_t wrong = 0;
            for (int64_t j = 0; j < n; ++j) {
              const double z = double{scale} * x[j * stride] - m;
              const float got = y[j * stride];
              if (mask[2 * j] != 0.0f)
                wrong += log_space ? !(std::isinf(got) && got < 0) : got != 0.0f;
              else
                wrong += !close(got, log_space ? z - std::log(sum) : std::exp(z) / sum);
            }
            for (int64_t j = 0; j < n * stride; ++j)  // elements between the lane's are untouched
              if (j % stride != 0) wrong += y[j] != x[j];
            CHECK(wrong == 0);
          }
  }
}

TEST_CASE("sum, exp-shift and log-sum-exp lanes agree with the reference loop at every level") {
  Generator gen(22);
  for (Isa isa : supported_isa_levels()) {
    const KernelTable& k = kernel_table(isa);
    for (int64_t n : kSizes) {
      CAPTURE(isa_name(isa));
      CAPTURE(n);
      const std::vector<float> x = normal(gen, 2 * n, 3.0f);
      double sum1 = 0.0, sum2 = 0.0, m = -INFINITY, e = 0.0;
      for (int64_t j = 0; j < n; ++j) {
        sum1 += x[j];
        sum2 += x[2 * j];
        m = std::max(m, double{x[j]});
      }
      for (int64_t j = 0; j < n; ++j) e += std::exp(x[j] - m);
      CHECK(close(k.sum_lane(x.data(), n, 1), sum1, 1e-6));
      CHECK(close(k.sum_lane(x.data(), n, 2), sum2, 1e-6));
      CHECK(close(k.log_sum_exp_lane(x.data(), n), m + std::log(e)));
      std::vector<float> shifted(x.begin(), x.begin() + n);
      const ExpSum s = k.exp_shifted_lane(shifted.data(), n);
      CHECK(s.max == static_cast<float>(m));
      CHECK(close(s.sum, e));
      int64_t wrong = 0;
      for (int64_t j = 0; j < n; ++j) wrong += !close(shifted[j], std::exp(x[j] - m));
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("softmax backward lanes agree with the reference loop at every level, strided") {
  Generator gen(23);
  for (Isa isa : supported_isa_levels()) {
    const KernelTable& k = kernel_table(isa);
    for (int64_t n : kSizes) {
      CAPTURE(isa_name(isa));
      CAPTURE(n);
      const int64_t s[3] = {2, 3, 1};  // dx, y, dy strides
      const std::vector<float> y = normal(gen, 3 * n), dy = normal(gen, n);
      std::vector<float> dx(static_cast<size_t>(2 * n), 0.0f), dxl = dx;
      k.softmax_backward_lane(dx.data(), y.data(), dy.data(), n, s, 0.5f);
      k.log_softmax_backward_lane(dxl.data(), y.data(), dy.data(), n, s);
      double dot = 0.0, total = 0.0;
      for (int64_t j = 0; j < n; ++j) {
        dot += double{y[3 * j]} * dy[j];
        total += dy[j];
      }
      int64_t wrong = 0;
      for (int64_t j = 0; j < n; ++j) {
        wrong += !close(dx[2 * j], 0.5 * y[3 * j] * (dy[j] - dot), 1e-5);
        wrong += !close(dxl[2 * j], dy[j] - std::exp(double{y[3 * j]}) * total, 1e-5);
      }
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("layer norm row kernels agree with the reference loop at every level") {
  Generator gen(24);
  for (Isa isa : supported_isa_levels()) {
    const KernelTable& k = kernel_table(isa);
    for (int64_t d : kSizes) {
      CAPTURE(isa_name(isa));
      CAPTURE(d);
      const int64_t rows = 3;
      const std::vector<float> x = normal(gen, rows * d, 2.0f), w = normal(gen, d),
                               b = normal(gen, d), dy = normal(gen, rows * d);
      std::vector<float> y(x.size()), mean(rows), rstd(rows), dx(x.size());
      std::vector<float> dw(static_cast<size_t>(d), 0.5f), db(static_cast<size_t>(d), -0.5f);
      std::vector<double> want_dw(dw.begin(), dw.end()), want_db(db.begin(), db.end());
      int64_t wrong = 0;
      for (int64_t i = 0; i < rows; ++i) {
        const float* xr = x.data() + i * d;
        k.layer_norm_row(xr, w.data(), b.data(), d, 1e-5f, y.data() + i * d, &mean[i], &rstd[i]);
        double mu = 0.0, var = 0.0;
        for (int64_t j = 0; j < d; ++j) mu += xr[j];
        mu /= double(d);
        for (int64_t j = 0; j < d; ++j) var += (xr[j] - mu) * (xr[j] - mu);
        const double r = 1.0 / std::sqrt(var / double(d) + 1e-5);
        wrong += !close(mean[i], mu, 1e-6) + !close(rstd[i], r, 1e-5);
        for (int64_t j = 0; j < d; ++j)
          wrong += !close(y[i * d + j], (xr[j] - mu) * r * w[j] + b[j]);
        k.layer_norm_backward_row(dy.data() + i * d, xr, w.data(), mean[i], rstd[i], d,
                                  dx.data() + i * d);
        double g = 0.0, gx = 0.0;
        for (int64_t j = 0; j < d; ++j) {
          const double xhat = (xr[j] - mu) * r;
          g += double{dy[i * d + j]} * w[j];
          gx += double{dy[i * d + j]} * w[j] * xhat;
          want_dw[j] += dy[i * d + j] * xhat;
          want_db[j] += dy[i * d + j];
        }
        for (int64_t j = 0; j < d; ++j) {
          const double xhat = (xr[j] - mu) * r;
          wrong += !close(dx[i * d + j], r * (dy[i * d + j] * w[j] - g / d - xhat * gx / d), 1e-4);
        }
      }
      k.layer_norm_param_grads(dy.data(), x.data(), mean.data(), rstd.data(), rows, d, dw.data(),
                               db.data());
      for (int64_t j = 0; j < d; ++j)
        wrong += !close(dw[j], want_dw[j], 1e-4) + !close(db[j], want_db[j], 1e-5);
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("cross-entropy row kernels agree with the reference loop at every level") {
  Generator gen(25);
  for (Isa isa : supported_isa_levels()) {
    const KernelTable& k = kernel_table(isa);
    for (int64_t classes : kSizes) {
      CAPTURE(isa_name(isa));
      CAPTURE(classes);
      const std::vector<float> x = normal(gen, classes, 3.0f);
      const int64_t t = classes / 2;
      const float eps = 0.1f, w = 0.25f;
      double m = -INFINITY, e = 0.0, mean_x = 0.0;
      for (float v : x) m = std::max(m, double{v});
      for (float v : x) e += std::exp(v - m);
      for (float v : x) mean_x += v / double(classes);
      const double lse = m + std::log(e);
      std::vector<float> d(x.size()), fused = x;
      k.cross_entropy_row_gradient(x.data(), classes, t, static_cast<float>(lse), eps, w, d.data());
      const double loss = k.cross_entropy_row_loss_and_gradient(fused.data(), classes, t, eps, w);
      CHECK(close(loss, (1 - eps) * (lse - x[t]) + eps * (lse - mean_x), 1e-5));
      int64_t wrong = 0;
      for (int64_t c = 0; c < classes; ++c) {
        const double want =
            w * (std::exp(x[c] - lse) - eps / classes) - (c == t ? w * (1 - eps) : 0);
        wrong += !close(d[c], want, 1e-5) + !close(fused[c], want, 1e-5);
      }
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("the Adam update agrees with the reference loop at every level") {
  Generator gen(26);
  const AdamStep s{.b1 = 0.9f,
                   .b2 = 0.999f,
                   .keep1 = 0.1f,
                   .keep2 = 0.001f,
                   .eps = 1e-8f,
                   .step_size = 0.01f,
                   .correction2 = 0.05f,
                   .l2 = 0.01f,
                   .shrink = 0.999f};
  for (Isa isa : supported_isa_levels()) {
    for (int64_t n : kSizes) {
      CAPTURE(isa_name(isa));
      CAPTURE(n);
      std::vector<float> p = normal(gen, n), g = normal(gen, n), m = normal(gen, n, 0.1f),
                         v = normal(gen, n, 0.1f);
      for (float& x : v) x = x * x;
      const std::vector<float> p0 = p, m0 = m, v0 = v;
      kernel_table(isa).adam_range(p.data(), g.data(), m.data(), v.data(), 1, n, s);
      int64_t wrong = p[0] != p0[0];  // outside [begin, end): untouched
      for (int64_t i = 1; i < n; ++i) {
        const double pi = double{p0[i]} * s.shrink, gi = g[i] + double{s.l2} * pi;
        const double mi = s.b1 * double{m0[i]} + s.keep1 * gi;
        const double vi = s.b2 * double{v0[i]} + s.keep2 * gi * gi;
        wrong += !close(m[i], mi) + !close(v[i], vi);
        wrong += !close(p[i], pi - s.step_size * mi / (std::sqrt(vi) / s.correction2 + s.eps));
      }
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("recurrent cell kernels agree with the reference loop at every level") {
  Generator gen(27);
  for (Isa isa : supported_isa_levels()) {
    const KernelTable& k = kernel_table(isa);
    for (int64_t H : kSizes) {
      CAPTURE(isa_name(isa));
      CAPTURE(H);
      const std::vector<float> gx = normal(gen, 4 * H, 2.0f), gh = normal(gen, 4 * H),
                               b = normal(gen, 4 * H), h0 = normal(gen, H), c0 = normal(gen, H),
                               dh0 = normal(gen, H), dc0 = normal(gen, H);
      int64_t wrong = 0;
      // LSTM (i, f, g, o gates)
      std::vector<float> h = h0, c = c0, saved(static_cast<size_t>(5 * H));
      k.lstm.forward(H, gx.data(), gh.data(), b.data(), h.data(), c.data(), saved.data());
      std::vector<float> dh = dh0, dc = dc0, dgx(static_cast<size_t>(4 * H));
      k.lstm.backward(H, saved.data(), h0.data(), c0.data(), dh.data(), dc.data(), dgx.data(),
                      nullptr);
      for (int64_t j = 0; j < H; ++j) {
        const auto pre = [&](int64_t gate) {
          return double{gx[gate * H + j]} + gh[gate * H + j] + b[gate * H + j];
        };
        const double i = sigmoid(pre(0)), f = sigmoid(pre(1)), g = std::tanh(pre(2)),
                     o = sigmoid(pre(3));
        const double cn = f * c0[j] + i * g, tc = std::tanh(cn);
        wrong += !close(c[j], cn) + !close(h[j], o * tc);
        const double dct = dc0[j] + dh0[j] * o * (1 - tc * tc);
        wrong += !close(dgx[j], dct * g * i * (1 - i), 1e-4) +
                 !close(dgx[H + j], dct * c0[j] * f * (1 - f), 1e-4);
        wrong += !close(dgx[2 * H + j], dct * i * (1 - g * g), 1e-4) +
                 !close(dgx[3 * H + j], dh0[j] * tc * o * (1 - o), 1e-4);
        wrong += !close(dc[j], dct * f, 1e-4) + (dh[j] != 0.0f);
      }
      // GRU (r, z, n gates; b_hn inside r *)
      std::vector<float> hg = h0, sg(static_cast<size_t>(4 * H)), dhg = dh0;
      std::vector<float> dgxg(static_cast<size_t>(3 * H)), dghg(static_cast<size_t>(3 * H));
      k.gru.forward(H, gx.data(), gh.data(), b.data(), hg.data(), nullptr, sg.data());
      k.gru.backward(H, sg.data(), h0.data(), nullptr, dhg.data(), nullptr, dgxg.data(),
                     dghg.data());
      for (int64_t j = 0; j < H; ++j) {
        const double r = sigmoid(double{gx[j]} + gh[j] + b[j]);
        const double z = sigmoid(double{gx[H + j]} + gh[H + j] + b[H + j]);
        const double ghn = double{gh[2 * H + j]} + b[2 * H + j],
                     n = std::tanh(gx[2 * H + j] + r * ghn);
        wrong += !close(hg[j], (1 - z) * n + z * h0[j]);
        const double dn = dh0[j] * (1 - z) * (1 - n * n);
        wrong += !close(dgxg[j], dn * ghn * r * (1 - r), 1e-4) + !close(dghg[j], dgxg[j], 0);
        wrong += !close(dgxg[H + j], dh0[j] * (h0[j] - n) * z * (1 - z), 1e-4);
        wrong += !close(dgxg[2 * H + j], dn, 1e-4) + !close(dghg[2 * H + j], dn * r, 1e-4);
        wrong += !close(dhg[j], dh0[j] * z, 1e-5);
      }
      // tanh RNN
      std::vector<float> hr = h0, sr(static_cast<size_t>(H)), dhr = dh0,
                         dgxr(static_cast<size_t>(H));
      k.rnn_tanh.forward(H, gx.data(), gh.data(), b.data(), hr.data(), nullptr, sr.data());
      k.rnn_tanh.backward(H, sr.data(), nullptr, nullptr, dhr.data(), nullptr, dgxr.data(),
                          nullptr);
      for (int64_t j = 0; j < H; ++j) {
        const double t = std::tanh(double{gx[j]} + gh[j] + b[j]);
        wrong += !close(hr[j], t) + !close(dgxr[j], dh0[j] * (1 - t * t), 1e-4) + (dhr[j] != 0.0f);
      }
      CHECK(wrong == 0);
    }
  }
}

namespace hash_reference {
#include "ember/core/isa/counter_hash.inc"
}  // namespace hash_reference

TEST_CASE("dropout draws the same mask bit for bit at every level, from any offset") {
  Generator gen(27);
  const float p = 0.3f, scale = 1.0f / (1.0f - p);
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(1.0f - p) * 0x1.0p24);
  const uint64_t seed = 1234, base = (uint64_t{1} << 40) - 5;  // the counter crosses 2^40
  for (Isa isa : supported_isa_levels()) {
    for (int64_t n :
         {int64_t{1}, int64_t{7}, int64_t{17}, int64_t{100}, int64_t{257}, int64_t{20000}}) {
      CAPTURE(isa_name(isa));
      CAPTURE(n);
      const std::vector<float> x = normal(gen, n);
      std::vector<float> y(n, -7.0f);
      kernel_table(isa).dropout_range(seed, base, threshold, scale, x.data(), y.data(), 1, n);
      int64_t wrong = n > 0 && y[0] != -7.0f, kept = 0;  // y[0] is outside [begin, end)
      for (int64_t i = 1; i < n; ++i) {
        const bool keep = (hash_reference::hash(seed, base + uint64_t(i)) >> 40) < threshold;
        wrong += y[i] != (keep ? x[i] * scale : 0.0f * x[i]);
        kept += keep;
      }
      CHECK(wrong == 0);
      // 20,000 draws keep 1 - p of the elements within 5 standard deviations (sqrt(n p (1-p)))
      if (n == 20000)
        CHECK(std::abs(double(kept) - (n - 1) * (1.0 - p)) < 5 * std::sqrt(n * p * (1 - p)));
    }
  }
}
