#include "ember/core/weight_pack.h"

#include "ember/core/error.h"
#include "ember/core/precision.h"

namespace ember::core {

bool packed_weights_apply() {
  return matmul_precision() == MatmulPrecision::fp32 && active_isa() != Isa::portable;
}

PackedMatrix pack_weight(const NDArray& w, bool transposed) {
  EMBER_CHECK(w.dim() == 2 && w.strides()[1] == 1,
              "[weight_pack] weight {} must be 2-D with unit column stride", shape_str(w.shape()));
  // op(B) = W^T is (I, O): k = I, n = O; op(B) = W is (O, I): k = O, n = I.
  const int64_t k = transposed ? w.size(1) : w.size(0), n = transposed ? w.size(0) : w.size(1);
  return PackedMatrix(transposed, k, n, w.data(), w.strides()[0]);
}

std::shared_ptr<const PackedMatrix> WeightPack::get(const NDArray& w, bool transposed) {
  if (!packed_weights_apply()) return nullptr;
  const std::lock_guard<std::mutex> lock(mutex_);
  Entry& e = entries_[transposed ? 1 : 0];
  const bool fresh = e.packed && e.source.shares_storage_with(w) &&
                     e.source.offset() == w.offset() && e.source.shape() == w.shape() &&
                     e.source.strides() == w.strides() && e.version == w.version() &&
                     e.packed->isa() == active_isa();
  if (!fresh) {
    e.packed = std::make_shared<const PackedMatrix>(pack_weight(w, transposed));
    e.source = w;
    e.version = w.version();
  }
  return e.packed;
}

}  // namespace ember::core
