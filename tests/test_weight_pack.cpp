// Weights kept packed across calls (core/weight_pack.h): packed once, packed again after every
// change of the weight (an in-place op, mark_modified, another array) or of the precision, in bf16
// under bf16 products, never used where packed products do not apply; and a recurrent cell stepped
// across an optimizer update computes with the updated weights, as a fresh cell does.
#include <doctest/doctest.h>

#include <vector>

#include "ember/core/blas.h"
#include "ember/core/gemm_bf16.h"
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

TEST_CASE("under bf16 products a WeightPack packs in bf16, and again when the precision changes") {
  if (!core::bf16_unsupported_reason().empty()) {
    MESSAGE("no bf16 products here: " << core::bf16_unsupported_reason());
    return;
  }
  core::Generator gen(6);
  const NDArray w = gen.normal({70, 45}), x = gen.normal({13, 45});
  core::WeightPack pack;
  std::shared_ptr<const core::PackedMatrix> rounded;
  {
    core::MatmulPrecisionGuard bf16(core::MatmulPrecision::bf16);
    REQUIRE(core::packed_weights_apply());
    rounded = pack.get(w);
    REQUIRE(rounded != nullptr);
    CHECK(rounded->precision() == core::MatmulPrecision::bf16);
    CHECK(pack.get(w) == rounded);
    // x W^T through the pack equals core::gemm's bf16 product of the same operands.
    const NDArray got = NDArray::empty({13, 70}), want = NDArray::empty({13, 70});
    core::gemm_packed(false, 13, 1.0f, x.data(), 45, *rounded, 0.0f, got.data(), 70);
    core::gemm_bf16_naive(false, true, 13, 70, 45, 1.0f, x.data(), 45, w.data(), 45, 0.0f,
                          want.data(), 70);
    check_close(got, want, 1e-4f);
    // W itself, for dy W: (O, I) as it is.
    const auto untransposed = pack.get_untransposed(w);
    REQUIRE(untransposed != nullptr);
    CHECK((untransposed->k() == 70 && untransposed->n() == 45));
    CHECK(pack.get_untransposed(w) == untransposed);
    const NDArray dy = gen.normal({13, 70}), dx = NDArray::empty({13, 45}),
                  dx_want = NDArray::empty({13, 45});
    core::gemm_packed(false, 13, 1.0f, dy.data(), 70, *untransposed, 0.0f, dx.data(), 45);
    core::gemm_bf16_naive(false, false, 13, 45, 70, 1.0f, dy.data(), 70, w.data(), 45, 0.0f,
                          dx_want.data(), 45);
    check_close(dx, dx_want, 1e-4f);
  }
  CHECK(pack.get_untransposed(w) == nullptr);  // float32: dy W stays on core::gemm
  if (core::packed_weights_apply()) {          // back in float32: packed again, in float32
    const auto exact = pack.get(w);
    REQUIRE(exact != nullptr);
    CHECK(exact != rounded);
    CHECK(exact->precision() == core::MatmulPrecision::fp32);
    check_product(*exact, x, w);
  }
}

TEST_CASE("under bf16 products, cells stepped on packed weights give the plain ops' gradients") {
  if (!core::bf16_unsupported_reason().empty()) {
    MESSAGE("no bf16 products here: " << core::bf16_unsupported_reason());
    return;
  }
  core::MatmulPrecisionGuard bf16(core::MatmulPrecision::bf16);
  for (CellType type : {CellType::kRnnTanh, CellType::kLstm, CellType::kGru}) {
    CAPTURE(static_cast<int>(type));
    nn::RecurrentCell cell(type, 37, 45);  // x W_ih^T, h W_hh^T and both backward on packs
    const Tensor x0 = Tensor::randn({9, 37}), h0 = Tensor::randn({9, 45});
    const Tensor c0 = type == CellType::kLstm ? Tensor::randn({9, 45}) : Tensor();
    const auto leaf = [](const Tensor& t) {
      return t.defined() ? Tensor(t.data().clone(), true) : Tensor();
    };
    const Tensor x1 = leaf(x0), h1 = leaf(h0), c1 = leaf(c0);
    for (int step = 0; step < 2; ++step) {  // the second step reuses the packs
      const nn::RecurrentState s = cell.forward(x1, {h1, c1});
      sum(s.h * s.h).backward();
    }
    // The same step through the ops, with no pack: core::gemm's bf16 products.
    const Tensor x2 = leaf(x0), h2 = leaf(h0), c2 = leaf(c0);
    const Tensor w_ih = leaf(cell.weight_ih()), w_hh = leaf(cell.weight_hh());
    for (int step = 0; step < 2; ++step) {
      const Tensor gx = linear(x2, w_ih, cell.bias_ih());
      Tensor h;
      if (type == CellType::kLstm)
        h = lstm_cell(gx, h2, c2, w_hh, cell.bias_hh()).h;
      else if (type == CellType::kGru)
        h = gru_cell(gx, h2, w_hh, cell.bias_hh());
      else
        h = rnn_tanh_cell(gx, h2, w_hh, cell.bias_hh());
      sum(h * h).backward();
    }
    check_close(x1.grad(), x2.grad(), 1e-3f);
    check_close(h1.grad(), h2.grad(), 1e-3f);
    check_close(cell.weight_hh().grad(), w_hh.grad(), 1e-3f);
    check_close(cell.weight_ih().grad(), w_ih.grad(), 1e-3f);
  }
}

TEST_CASE("a WeightPack refuses a strided weight") {
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
