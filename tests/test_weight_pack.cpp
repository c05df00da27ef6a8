// Weights kept packed across calls (core/weight_pack.h): packed once, packed again after every
// change of the weight (an in-place op, mark_modified, another array), never used where packed
// products do not apply; and a recurrent cell stepped across an optimizer update computes with the
// updated weights, as a fresh cell does.
#include <doctest/doctest.h>

#include <vector>

#include "ember/core/blas.h"
#include "ember/core/precision.h"
#include "ember/core/random.h"
#include "ember/core/weight_pack.h"
#include "ember/ember.h"
#include "ember/layers/recurrent_cells.h"
#include "support/check.h"

using namespace ember;
using testing::check_close;

namespace {

// x (N, I) @ W^T through the pack, and through the plain loop.
void check_product(const core::PackedMatrix& packed, const NDArray& x, const NDArray& w) {
  const int64_t n = x.size(0), in = w.size(1), out = w.size(0);
  const NDArray got = NDArray::empty({n, out}), want = NDArray::empty({n, out});
  core::gemm_packed(false, n, 1.0f, x.data(), in, packed, 0.0f, got.data(), out);
  core::gemm_naive(false, true, n, out, in, 1.0f, x.data(), in, w.data(), in, 0.0f, want.data(),
                   out);
  check_close(got, want, 1e-4f);
}

}  // namespace

TEST_CASE("a WeightPack packs once and again after each change of the weight") {
  core::Generator gen(5);
  const NDArray w = gen.normal({40, 30}), x = gen.normal({7, 30});
  core::WeightPack pack;
  if (!core::packed_weights_apply()) {  // EMBER_ISA=portable: core::gemm runs instead
    CHECK(pack.get(w) == nullptr);
    return;
  }
  const auto first = pack.get(w);
  REQUIRE(first != nullptr);
  CHECK(pack.get(w) == first);                    // unchanged: the same pack
  CHECK((first->k() == 30 && first->n() == 40));  // W^T
  check_product(*first, x, w);

  w.mul_(2.0f);  // in place: a new version
  const auto doubled = pack.get(w);
  CHECK(doubled != first);
  check_product(*doubled, x, w);

  w.data()[3] = 9.0f;  // through data(), then marked as ndarray.h asks
  w.mark_modified();
  const auto marked = pack.get(w);
  CHECK(marked != doubled);
  check_product(*marked, x, w);

  const NDArray other = w.clone();  // equal values, another array
  CHECK(pack.get(other) != marked);
  const NDArray rows = w.narrow(0, 0, 20);  // a view of the same storage
  const auto narrowed = pack.get(rows);
  CHECK(narrowed->n() == 20);
  check_product(*narrowed, x, rows);
}

TEST_CASE("a WeightPack is not used under bf16 products, and refuses a strided weight") {
  if (core::bf16_unsupported_reason().empty()) {
    core::MatmulPrecisionGuard bf16(core::MatmulPrecision::bf16);
    CHECK(core::WeightPack().get(NDArray::ones({4, 3})) == nullptr);
  }
  if (core::packed_weights_apply())
    CHECK_THROWS_WITH_AS(core::WeightPack().get(NDArray::ones({4, 3}).transpose(0, 1)),
                         doctest::Contains("[weight_pack]"), Error);
}

TEST_CASE("a cell stepped across an optimizer update computes with the new weights") {
  for (CellType type : {CellType::kRnnTanh, CellType::kLstm, CellType::kGru}) {
    CAPTURE(static_cast<int>(type));
    nn::RecurrentCell cell(type, 6, 5);
    const Tensor x = Tensor::randn({3, 6}), h = Tensor::randn({3, 5});
    const Tensor c = type == CellType::kLstm ? Tensor::randn({3, 5}) : Tensor();
    optim::SGD sgd(cell.parameters(), {.lr = 0.5f});
    for (int step = 0; step < 2; ++step) {  // the second step packs the updated weights
      sgd.zero_grad();
      const nn::RecurrentState s = cell.forward(x, {h, c});
      sum(s.h * s.h).backward();
      sgd.step();
    }
    // The same weights in a cell that packs them for the first time.
    nn::RecurrentCell fresh(type, 6, 5);
    fresh.load_state_dict(cell.state_dict());
    const nn::RecurrentState got = cell.forward(x, {h, c}), want = fresh.forward(x, {h, c});
    check_close(got.h.data(), want.h.data());
    if (type == CellType::kLstm) check_close(got.c.data(), want.c.data());
  }
}
