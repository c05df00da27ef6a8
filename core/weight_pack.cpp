#include "ember/core/weight_pack.h"

#include "ember/core/error.h"
#include "ember/core/precision.h"

namespace ember::core {

bool packed_weights_apply() {
  return matmul_precision() == MatmulPrecision::fp32 && active_isa() != Isa::portable;
}

PackedMatrix pack_transposed(const NDArray& w) {
  EMBER_CHECK(w.dim() == 2 && w.strides()[1] == 1,
              "[weight_pack] weight {} must be 2-D with unit column stride", shape_str(w.shape()));
  return PackedMatrix(true, w.size(1), w.size(0), w.data(), w.strides()[0]);  // W^T: (I, O)
}

std::shared_ptr<const PackedMatrix> WeightPack::get(const NDArray& w) {
  if (!packed_weights_apply()) return nullptr;
  const std::lock_guard<std::mutex> lock(mutex_);
  const bool fresh = packed_ && source_.shares_storage_with(w) && source_.offset() == w.offset() &&
                     source_.shape() == w.shape() && source_.strides() == w.strides() &&
                     version_ == w.version() && packed_->isa() == active_isa();
  if (!fresh) {
    packed_ = std::make_shared<const PackedMatrix>(pack_transposed(w));
    source_ = w;
    version_ = w.version();
  }
  return packed_;
}

}  // namespace ember::core
