// A weight kept packed for gemm_packed (core/gemm_packed.h) across calls: a recurrent cell steps
// the same weights over every position of a sequence, one call per step, and the optimizer
// changes them only once per update. Only the forward products x W^T use it: on the
// input-gradient products dy W ember's kernel was no faster than core::gemm (docs/performance.md,
// "Packed weights"), so those stay on core::gemm. A WeightPack packs a weight on first use and
// again only when it is handed another array or the array's version changed (NDArray::version:
// every in-place write — copy_, fill_, an optimizer step, a load — counts; code writing through
// data() calls mark_modified(), as ndarray.h asks), or when the instruction set or this thread's
// precision (core/precision.h) in use changed. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "ember/core/gemm_packed.h"
#include "ember/core/ndarray.h"

namespace ember::core {

// Whether this thread's products run on packed weights: under bf16 products (core/precision.h),
// packed and rounded to bf16 once instead of at every product; in float32 at the avx2 or avx512
// level. At `portable` core::gemm stays faster: OpenBLAS picks its own kernels (AVX2 where the CPU
// has it), 2.5 times the SSE2 micro-kernel's speed (docs/performance.md, "Packed weights").
// Where it is false, WeightPack::get returns null and callers run core::gemm.
bool packed_weights_apply();

// W (O, I), 2-D with unit column stride: W^T (I, O) packed now, for the products x W^T, at this
// thread's precision.
PackedMatrix pack_transposed(const NDArray& w);
// W itself packed now, for the products dy W (under bf16 products: WeightPack::get_untransposed).
PackedMatrix pack_untransposed(const NDArray& w);

class WeightPack {
 public:
  // pack_transposed(w), packed again only when w is another array or changed since. The pack
  // stays valid for the caller after a later call repacks (shared ownership). Null where
  // !packed_weights_apply().
  std::shared_ptr<const PackedMatrix> get(const NDArray& w);
  // W (O, I) itself packed, for the input-gradient products dy W, under bf16 products only (in
  // float32 ember's kernel was no faster there than core::gemm); kept and renewed as get's.
  // Null in float32.
  std::shared_ptr<const PackedMatrix> get_untransposed(const NDArray& w);

 private:
  // One orientation's pack and the array it was made from.
  struct Slot {
    NDArray source;  // the array packed, to recognise it (same storage, offset and shape)
    uint64_t version = 0;
    std::shared_ptr<const PackedMatrix> packed;
  };
  std::shared_ptr<const PackedMatrix> get(Slot& slot, const NDArray& w, bool transposed);

  std::mutex mutex_;
  Slot transposed_, untransposed_;
};

}  // namespace ember::core
