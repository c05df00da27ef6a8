#include "ember/core/matmul.h"

#include <algorithm>

#include "ember/core/blas.h"
#include "ember/core/blas_layout.h"
#include "ember/core/error.h"
#include "ember/core/threads.h"

namespace ember::core {
namespace {

// Offset of batch element `index` (row-major over `batch`) in x, whose leading dims are `batch`.
int64_t batch_offset(const NDArray& x, const Shape& batch, int64_t index) {
  int64_t off = 0;
  for (size_t d = batch.size(); d-- > 0;) {
    off += (index % batch[d]) * x.strides()[d];
    index /= batch[d];
  }
  return off;
}

}  // namespace

NDArray matmul(const NDArray& a, const NDArray& b) {
  EMBER_CHECK(a.dim() >= 1 && b.dim() >= 1, "[matmul] needs operands of rank >= 1: {} @ {}",
              shape_str(a.shape()), shape_str(b.shape()));
  const NDArray a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
  const NDArray b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
  const int64_t m = a2.size(-2), k = a2.size(-1), n = b2.size(-1);
  EMBER_CHECK(k == b2.size(-2), "[matmul] inner dimensions differ: {} @ {}", shape_str(a.shape()),
              shape_str(b.shape()));
  const Shape batch_a(a2.shape().begin(), a2.shape().end() - 2);
  const Shape batch_b(b2.shape().begin(), b2.shape().end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  Shape out_shape = batch;
  out_shape.insert(out_shape.end(), {m, n});
  NDArray out = NDArray::empty(out_shape);
  const int64_t batches = numel_of(batch);

  if (numel_of(batch_b) == 1 && batch_a == batch && a2.is_contiguous()) {
    // One GEMM: a's batch dims fold into its rows, (batches*M, K) @ (K, N).
    const BlasMatrix bm = blas_matrix(b2.dim() == 2 ? b2 : b2.reshape({k, n}));
    gemm(false, bm.trans, batches * m, n, k, 1.0f, a2.data(), std::max<int64_t>(k, 1),
         bm.array.data(), bm.ld, 0.0f, out.data(), std::max<int64_t>(n, 1));
  } else {
    Shape full_a = batch, full_b = batch;
    full_a.insert(full_a.end(), {m, k});
    full_b.insert(full_b.end(), {k, n});
    const BlasMatrix ea = blas_matrix(a2.expand(full_a)), eb = blas_matrix(b2.expand(full_b));
    // Products each too small to split (an attention step's weights times its keys: 1 x 24 by
    // 24 x 512) are spread over the threads by batch element, when together they are worth it
    // (inside the pool's job, each gemm below runs on its own thread).
    parallel_for(batches, batches * m * n * k >= kParallelBatchMacs, [&](int64_t i) {
      gemm(ea.trans, eb.trans, m, n, k, 1.0f, ea.array.data() + batch_offset(ea.array, batch, i),
           ea.ld, eb.array.data() + batch_offset(eb.array, batch, i), eb.ld, 0.0f,
           out.data() + i * m * n, std::max<int64_t>(n, 1));
    });
  }
  if (a.dim() == 1) out = out.squeeze(-2);
  if (b.dim() == 1) out = out.squeeze(-1);
  return out;
}

void addmm_(const NDArray& out, const NDArray& a, const NDArray& b) {
  EMBER_CHECK(a.dim() == 2 && b.dim() == 2 && out.dim() == 2 && a.size(1) == b.size(0) &&
                  out.size(0) == a.size(0) && out.size(1) == b.size(1) && out.is_contiguous(),
              "[addmm_] needs contiguous out (M, N) += (M, K) @ (K, N): {} += {} @ {}",
              shape_str(out.shape()), shape_str(a.shape()), shape_str(b.shape()));
  const BlasMatrix ab = blas_matrix(a), bb = blas_matrix(b);
  gemm(ab.trans, bb.trans, a.size(0), b.size(1), a.size(1), 1.0f, ab.array.data(), ab.ld,
       bb.array.data(), bb.ld, 1.0f, out.data(), std::max<int64_t>(out.size(1), 1));
}

NDArray matmul_naive(const NDArray& a, const NDArray& b) {
  EMBER_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0),
              "[matmul_naive] needs (M, K) @ (K, N): {} @ {}", shape_str(a.shape()),
              shape_str(b.shape()));
  const NDArray ac = a.contiguous(), bc = b.contiguous();
  NDArray out = NDArray::empty({a.size(0), b.size(1)});
  gemm_naive(false, false, a.size(0), b.size(1), a.size(1), 1.0f, ac.data(), a.size(1), bc.data(),
             b.size(1), 0.0f, out.data(), b.size(1));
  return out;
}

}  // namespace ember::core
