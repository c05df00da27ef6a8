#include "ember/core/int8_gemm.h"

#ifdef EMBER_HAVE_DNNL
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#endif

#include <cpuid.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ember/core/blas.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"
#include "ember/core/threads.h"

namespace ember::core {
namespace {

// Sums of up to 2^16 products of at most 255 * 127 stay below 2^31 (the header's bound).
constexpr int64_t kMaxCols = int64_t{1} << 16;
constexpr int64_t kBlock = 16;  // output columns split over the threads in blocks of this many
constexpr int64_t kLanes = 4;  // partial minima and maxima of a row: one SSE register each
using Lanes = float __attribute__((vector_size(kLanes * sizeof(float))));
constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: (v + kRound) - kRound rounds v to an integer

enum class Path { dnnl_vnni, dnnl, portable };

// VNNI at that level, from CPUID leaf 7 (Intel SDM vol. 2A, CPUID): sub-leaf 0 ECX bit 11 is
// AVX512_VNNI, sub-leaf 1 EAX bit 4 AVX-VNNI (read directly: Clang 14 has no name for it).
bool cpu_has_vnni(Isa level) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (level == Isa::avx512) return __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 && (c >> 11 & 1u);
  return level == Isa::avx2 && __get_cpuid_count(7, 1, &a, &b, &c, &d) != 0 && (a >> 4 & 1u);
}

// Chosen once, with the level (core/cpu_isa.h). oneDNN picks its own kernels from CPUID; at the
// avx2 level it is capped there, so that forcing EMBER_ISA=avx2 measures and tests AVX2 code.
Path path() {
  static const Path chosen = [] {
#ifdef EMBER_HAVE_DNNL
    const Isa level = active_isa();
    if (level == Isa::portable) return Path::portable;
    const bool vnni = cpu_has_vnni(level);
    if (level == Isa::avx2) {
      // Fails only once oneDNN has generated code (this runs before ember's first int8 call).
      dnnl_set_max_cpu_isa(vnni ? dnnl_cpu_isa_avx2_vnni : dnnl_cpu_isa_avx2);
    }
    return vnni ? Path::dnnl_vnni : Path::dnnl;
#else
    return Path::portable;
#endif
  }();
  return chosen;
}

void check_finite(bool finite, std::string_view what, std::string_view kind, int64_t row) {
  EMBER_CHECK(finite,
              "[{}] row {} of the {} holds a NaN or an infinity: int8 quantization needs finite "
              "values",
              what, row, kind);
}

}  // namespace

Int8Matrix quantize_weights(const float* w, int64_t rows, int64_t cols, int64_t ld,
                            std::string_view what) {
  EMBER_CHECK(rows > 0 && cols > 0 && cols < kMaxCols,
              "[{}] int8 weights must be (rows, cols) with rows > 0 and 0 < cols < {}, got "
              "({}, {})",
              what, kMaxCols, rows, cols);
  Int8Matrix q{rows, cols, std::vector<int8_t>(static_cast<size_t>(rows * cols)),
               std::vector<float>(static_cast<size_t>(rows)),
               std::vector<int32_t>(static_cast<size_t>(rows))};
  for (int64_t n = 0; n < rows; ++n) {
    const float* row = w + n * ld;
    float amax = 0.0f;
    bool finite = true;
    for (int64_t k = 0; k < cols; ++k) {
      finite = finite && std::isfinite(row[k]);
      amax = std::max(amax, std::fabs(row[k]));
    }
    check_finite(finite, what, "weights", n);
    // Symmetric: sw = max |w| / 127, so the row's largest magnitude maps to +-127 (never -128,
    // which has no positive twin).
    const float scale = amax > 0.0f ? amax / 127.0f : 1.0f;
    q.scales[n] = scale > 0.0f ? scale : 1.0f;  // a denormal row whose scale underflows: zeros
    int32_t sum = 0;
    for (int64_t k = 0; k < cols; ++k) {
      const float v = std::clamp(std::nearbyint(row[k] / q.scales[n]), -127.0f, 127.0f);
      q.values[n * cols + k] = static_cast<int8_t>(v);
      sum += static_cast<int32_t>(v);
    }
    q.sums[n] = sum;
  }
  return q;
}

void quantize_activations(const float* x, int64_t rows, int64_t cols, int64_t ld, int qmax,
                          std::string_view what, Int8Rows& q) {
  q.rows = rows;
  q.cols = cols;
  q.values.resize(static_cast<size_t>(rows * cols));
  q.scales.resize(static_cast<size_t>(rows));
  q.zeros.resize(static_cast<size_t>(rows));
  const float top = static_cast<float>(qmax);
  for (int64_t i = 0; i < rows; ++i) {
    const float* row = x + i * ld;
    // The row's range in kLanes lanes of a vector (GCC's vector extension: the compiler emits
    // SIMD compares for the baseline; a scalar running min is one dependent compare per element),
    // and v * 0 summed per lane, which is NaN exactly when some v is a NaN or an infinity.
    Lanes lo{}, hi{}, nan{};
    int64_t k = 0;
    for (; k + kLanes <= cols; k += kLanes) {
      Lanes v;
      std::memcpy(&v, row + k, sizeof v);
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      nan += v * 0.0f;
    }
    float low = 0.0f, high = 0.0f, finite = 0.0f;  // the range always holds 0: 0 is exact
    for (; k < cols; ++k) {
      low = std::min(low, row[k]);
      high = std::max(high, row[k]);
      finite += row[k] * 0.0f;
    }
    for (int64_t j = 0; j < kLanes; ++j) {
      low = std::min(low, lo[j]);
      high = std::max(high, hi[j]);
      finite += nan[j];
    }
    check_finite(finite == 0.0f, what, "input", i);
    // sx = (hi - lo) / Q, in double: hi - lo may exceed the float range (Jacob et al. eq. 1).
    const float scale = static_cast<float>((static_cast<double>(high) - low) / qmax);
    const float s = scale > 0.0f ? scale : 1.0f;  // all zeros (or an underflow): q = zx = 0
    const float zero = std::clamp(std::nearbyint(-low / s), 0.0f, top);
    q.scales[i] = s;
    q.zeros[i] = static_cast<int32_t>(zero);
    uint8_t* out = q.values.data() + i * cols;
    for (k = 0; k < cols; ++k) {
      // round(x / s) to nearest even by adding and taking away 1.5 * 2^23 (|x / s| <= Q here),
      // which the compiler vectorises where std::nearbyint is a library call per element.
      const float r = (row[k] / s + kRound) - kRound;
      const float v = std::min(std::max(r + zero, 0.0f), top);
      out[k] = static_cast<uint8_t>(static_cast<int32_t>(v));
    }
  }
}

int int8_activation_max() { return path() == Path::dnnl ? 127 : 255; }

void gemm_u8s8_reference(int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda,
                         const int8_t* b, int64_t ldb, int32_t* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int32_t acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += static_cast<int32_t>(a[i * lda + p]) * static_cast<int32_t>(b[j * ldb + p]);
      c[i * ldc + j] = acc;
    }
}

void gemm_u8s8(int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b,
               int64_t ldb, int32_t* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
#ifdef EMBER_HAVE_DNNL
  if (path() != Path::portable) {
    // One OpenMP thread for oneDNN, as in core/blas.cpp: ember's pool splits the work itself.
    const int outer = omp_get_max_threads();
    omp_set_num_threads(1);
    const int32_t no_offset = 0;
    const dnnl_status_t status = dnnl_gemm_u8s8s32('N', 'T', 'F', m, n, k, 1.0f, a, lda, 0, b, ldb,
                                                   0, 0.0f, c, ldc, &no_offset);
    omp_set_num_threads(outer);
    EMBER_CHECK(status == dnnl_success,
                "[int8_gemm] oneDNN's gemm_u8s8s32 failed (status {}) on ({}, {}) @ ({}, {})",
                static_cast<int>(status), m, k, k, n);
    return;
  }
#endif
  gemm_u8s8_reference(m, n, k, a, lda, b, ldb, c, ldc);
}

void int8_linear(const float* x, int64_t m, int64_t ldx, const Int8Matrix& w, int64_t first,
                 int64_t count, const float* bias, float* y, int64_t ldy, std::string_view what) {
  EMBER_CHECK(first >= 0 && count >= 0 && first + count <= w.rows,
              "[{}] rows [{}, {}) of int8 weights with {} rows", what, first, first + count,
              w.rows);
  if (m == 0 || count == 0) return;
  const int64_t k = w.cols;
  // Kept per thread and reused: a decoder calls this for every layer at every step, and fresh
  // buffers of this size would be fresh pages each time.
  thread_local Int8Rows thread_rows;
  thread_local std::vector<int32_t> thread_sums;
  Int8Rows& q = thread_rows;  // the caller's, also when the columns run on the pool's threads
  std::vector<int32_t>& acc = thread_sums;
  quantize_activations(x, m, k, ldx, int8_activation_max(), what, q);
  acc.resize(static_cast<size_t>(m * count));
  // Columns [j0, j1): their integer sums, then y = sx sw (sum - zx * sum_k qw) + b (header).
  // sum - zx * sum_k qw is the exact integer sum_k (qx - zx) qw, below 2^31 as both terms are.
  const auto columns = [&](int64_t j0, int64_t j1) {
    int32_t* c = acc.data();
    gemm_u8s8(m, j1 - j0, k, q.values.data(), k, w.values.data() + (first + j0) * k, k, c + j0,
              count);
    const float* sw = w.scales.data() + first;
    const int32_t* sums = w.sums.data() + first;
    for (int64_t i = 0; i < m; ++i) {
      const float sx = q.scales[i];
      const int32_t zx = q.zeros[i];
      const int32_t* ci = c + i * count;
      float* yi = y + i * ldy;
      for (int64_t j = j0; j < j1; ++j)
        yi[j] = sx * sw[j] * static_cast<float>(ci[j] - zx * sums[j]);
      if (bias != nullptr)
        for (int64_t j = j0; j < j1; ++j) yi[j] += bias[j];
    }
  };
  if (m * count * k < kParallelMacs || num_threads() == 1) {
    columns(0, count);
    return;
  }
  parallel_chunks((count + kBlock - 1) / kBlock, [&](int64_t b0, int64_t b1) {
    columns(b0 * kBlock, std::min(count, b1 * kBlock));
  });
}

std::string_view int8_backend() {
  switch (path()) {
    case Path::dnnl_vnni:
      return "oneDNN, VNNI";
    case Path::dnnl:
      return "oneDNN, no VNNI (7-bit activations)";
    case Path::portable:
      return "portable loops";
  }
  return "portable loops";
}

}  // namespace ember::core
