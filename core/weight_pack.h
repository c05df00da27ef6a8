// A weight kept packed for gemm_packed (core/gemm_packed.h) across calls: a recurrent cell steps
// the same weights over every position of a sequence, one call per step, and the optimizer
// changes them only once per update. Only the forward products x W^T use it: on the
// input-gradient products dy W ember's kernel was no faster than core::gemm (docs/performance.md,
// "Packed weights"), so those stay on core::gemm. A WeightPack packs a weight on first use and
// again only when it is handed another array or the array's version changed (NDArray::version:
// every in-place write — copy_, fill_, an optimizer step, a load — counts; code writing through
// data() calls mark_modified(), as ndarray.h asks), or when the instruction set in use changed.
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "ember/core/gemm_packed.h"
#include "ember/core/ndarray.h"

namespace ember::core {

// Whether this thread's products run on packed weights: only for float32 products (under bf16,
// core/precision.h, core::gemm's bf16 kernel rounds the operands as it packs them) and at the avx2
// or avx512 level. At `portable` core::gemm stays faster: OpenBLAS picks its own kernels (AVX2
// where the CPU has it), 2.5 times the SSE2 micro-kernel's speed (docs/performance.md, "Packed
// weights"). Where it is false, WeightPack::get returns null and callers run core::gemm.
bool packed_weights_apply();

// W (O, I), 2-D with unit column stride: W^T (I, O) packed now, for the products x W^T.
PackedMatrix pack_transposed(const NDArray& w);

class WeightPack {
 public:
  // pack_transposed(w), packed again only when w is another array or changed since. The pack
  // stays valid for the caller after a later call repacks (shared ownership). Null where
  // !packed_weights_apply().
  std::shared_ptr<const PackedMatrix> get(const NDArray& w);

 private:
  std::mutex mutex_;
  NDArray source_;  // the array packed, to recognise it (same storage, offset and shape)
  uint64_t version_ = 0;
  std::shared_ptr<const PackedMatrix> packed_;
};

}  // namespace ember::core
