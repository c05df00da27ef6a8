#include "ember/core/weight_pack.h"

#include "ember/core/error.h"
#include "ember/core/precision.h"

namespace ember::core {

bool packed_weights_apply() {
  return matmul_precision() == MatmulPrecision::bf16 || active_isa() != Isa::portable;
}

namespace {
void check_weight(const NDArray& w) {
  EMBER_CHECK(w.dim() == 2 && w.strides()[1] == 1,
              "[weight_pack] weight {} must be 2-D with unit column stride", shape_str(w.shape()));
}
}  // namespace

PackedMatrix pack_transposed(const NDArray& w) {
  check_weight(w);
  return PackedMatrix(true, w.size(1), w.size(0), w.data(), w.strides()[0]);  // W^T: (I, O)
}

PackedMatrix pack_untransposed(const NDArray& w) {
  check_weight(w);
  return PackedMatrix(false, w.size(0), w.size(1), w.data(), w.strides()[0]);  // W: (O, I)
}

std::shared_ptr<const PackedMatrix> WeightPack::get(const NDArray& w) {
  if (!packed_weights_apply()) return nullptr;
  return get(transposed_, w, true);
}

std::shared_ptr<const PackedMatrix> WeightPack::get_untransposed(const NDArray& w) {
  if (matmul_precision() != MatmulPrecision::bf16) return nullptr;
  return get(untransposed_, w, false);
}

std::shared_ptr<const PackedMatrix> WeightPack::get(Slot& slot, const NDArray& w, bool transposed) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const PackedMatrix* p = slot.packed.get();
  const bool fresh = p && slot.source.shares_storage_with(w) &&
                     slot.source.offset() == w.offset() && slot.source.shape() == w.shape() &&
                     slot.source.strides() == w.strides() && slot.version == w.version() &&
                     p->precision() == matmul_precision() &&
                     (p->precision() == MatmulPrecision::bf16 || p->isa() == active_isa());
  if (!fresh) {
    slot.packed = std::make_shared<const PackedMatrix>(transposed ? pack_transposed(w)
                                                                  : pack_untransposed(w));
    slot.source = w;
    slot.version = w.version();
  }
  return slot.packed;
}

}  // namespace ember::core
