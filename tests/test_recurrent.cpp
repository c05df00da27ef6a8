#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "ember/autograd/ops/recurrent.h"
#include "ember/core/precision.h"
#include "ember/core/threads.h"
#include "ember/ember.h"
#include "support/check.h"

using namespace ember;
using testing::check_close;
using testing::check_gradients;

namespace {

// The cells written with plain autograd ops (torch.nn docs' equations), as a reference.
std::vector<Tensor> gates_of(const Tensor& a, int64_t g) { return chunk(a, g, 1); }

Tensor hidden_part(const Tensor& h, const Tensor& w_hh, const Tensor& b_hh) {
  return linear(h, w_hh, b_hh);
}

Tensor rnn_reference(const Tensor& gx, const Tensor& h, const Tensor& w, const Tensor& b) {
  return tanh(gx + hidden_part(h, w, b));
}

LstmState lstm_reference(const Tensor& gx, const Tensor& h, const Tensor& c, const Tensor& w,
                         const Tensor& b) {
  const std::vector<Tensor> a = gates_of(gx + hidden_part(h, w, b), 4);
  const Tensor c_new = sigmoid(a[1]) * c + sigmoid(a[0]) * tanh(a[2]);
  return {sigmoid(a[3]) * tanh(c_new), c_new};
}

Tensor gru_reference(const Tensor& gx, const Tensor& h, const Tensor& w, const Tensor& b) {
  const std::vector<Tensor> i = gates_of(gx, 3), s = gates_of(hidden_part(h, w, b), 3);
  const Tensor r = sigmoid(i[0] + s[0]), z = sigmoid(i[1] + s[1]);
  const Tensor n = tanh(i[2] + r * s[2]);
  return (1.0f - z) * n + z * h;
}

// Every output of a sequence op flattened into one tensor, for gradcheck.
Tensor flat(const SequenceOutput& s) {
  std::vector<Tensor> parts{s.y.reshape({-1}), s.h_n.reshape({-1})};
  if (s.c_n.defined()) parts.push_back(s.c_n.reshape({-1}));
  return cat(parts, 0);
}

struct Inputs {
  Tensor gx, h, c, w, b;
};

// Standard normal inputs; the recurrent weight W_hh is scaled by `weight_scale`.
Inputs make_inputs(CellType type, Shape gx_shape, int64_t H, float weight_scale = 1.0f) {
  const int64_t G = gate_count(type);
  gx_shape.push_back(G * H);
  const Shape state{gx_shape[0], H};
  Tensor w = Tensor::randn({G * H, H});
  w.data().mul_(weight_scale);
  return {Tensor::randn(gx_shape, true), Tensor::randn(state, true),
          type == CellType::kLstm ? Tensor::randn(state, true) : Tensor(),
          w.set_requires_grad(true), Tensor::randn({G * H}, true)};
}

// Forward values and input gradients of two ways of computing the same tensor.
void check_same(const std::function<Tensor()>& got, const std::function<Tensor()>& want,
                const std::vector<Tensor>& leaves) {
  const Tensor a = got();
  const NDArray u = core::Generator(3).normal(a.shape());
  a.backward(u);
  std::vector<NDArray> grads;
  for (Tensor t : leaves) {
    grads.push_back(t.grad().clone());
    t.zero_grad();
  }
  const Tensor b = want();
  check_close(a.data(), b.data());
  b.backward(u);
  for (size_t i = 0; i < leaves.size(); ++i) check_close(grads[i], leaves[i].grad(), 1e-4f);
}

}  // namespace

TEST_CASE("rnn_tanh_cell, lstm_cell and gru_cell match the equations written with plain ops") {
  const Inputs r = make_inputs(CellType::kRnnTanh, {2}, 3);
  check_same([&] { return rnn_tanh_cell(r.gx, r.h, r.w, r.b); },
             [&] { return rnn_reference(r.gx, r.h, r.w, r.b); }, {r.gx, r.h, r.w, r.b});
  const Inputs l = make_inputs(CellType::kLstm, {2}, 3);
  auto both = [](const LstmState& s) { return cat({s.h, s.c}, 1); };
  check_same([&] { return both(lstm_cell(l.gx, l.h, l.c, l.w, l.b)); },
             [&] { return both(lstm_reference(l.gx, l.h, l.c, l.w, l.b)); },
             {l.gx, l.h, l.c, l.w, l.b});
  const Inputs g = make_inputs(CellType::kGru, {2}, 3);
  check_same([&] { return gru_cell(g.gx, g.h, g.w, g.b); },
             [&] { return gru_reference(g.gx, g.h, g.w, g.b); }, {g.gx, g.h, g.w, g.b});
}

TEST_CASE("cell gradients match finite differences") {
  const Inputs r = make_inputs(CellType::kRnnTanh, {2}, 3);
  check_gradients([](const auto& in) { return rnn_tanh_cell(in[0], in[1], in[2], in[3]); },
                  {r.gx, r.h, r.w, r.b});
  const Inputs l = make_inputs(CellType::kLstm, {2}, 3);
  check_gradients(
      [](const auto& in) {
        const LstmState s = lstm_cell(in[0], in[1], in[2], in[3], in[4]);
        return cat({s.h, s.c}, 1);
      },
      {l.gx, l.h, l.c, l.w, l.b});
  const Inputs g = make_inputs(CellType::kGru, {2}, 3);
  check_gradients([](const auto& in) { return gru_cell(in[0], in[1], in[2], in[3]); },
                  {g.gx, g.h, g.w, g.b});
}

TEST_CASE("cells without bias or initial state start from zeros") {
  const Inputs l = make_inputs(CellType::kLstm, {2}, 3);
  const LstmState s = lstm_cell(l.gx, Tensor(), Tensor(), l.w, Tensor());
  const Tensor zeros = Tensor::zeros({2, 3});
  const LstmState want = lstm_reference(l.gx, zeros, zeros, l.w, Tensor());
  check_close(s.h.data(), want.h.data());
  check_close(s.c.data(), want.c.data());
}

TEST_CASE("recurrent_sequence equals the cell applied step by step, in both directions") {
  for (CellType type : {CellType::kRnnTanh, CellType::kLstm, CellType::kGru}) {
    for (bool reverse : {false, true}) {
      CAPTURE(static_cast<int>(type));
      CAPTURE(reverse);
      const Inputs in = make_inputs(type, {2, 4}, 3);
      const SequenceOutput s = recurrent_sequence(type, in.gx, in.h, in.c, in.w, in.b, {}, reverse);
      Tensor h = in.h, c = in.c;
      for (int64_t k = 0; k < 4; ++k) {
        const int64_t t = reverse ? 3 - k : k;
        const Tensor gx = select(in.gx, 1, t);
        if (type == CellType::kLstm) {
          const LstmState st = lstm_cell(gx, h, c, in.w, in.b);
          h = st.h;
          c = st.c;
        } else {
          h = type == CellType::kGru ? gru_cell(gx, h, in.w, in.b)
                                     : rnn_tanh_cell(gx, h, in.w, in.b);
        }
        check_close(select(s.y, 1, t).data(), h.data());
      }
      check_close(s.h_n.data(), h.data());
      if (type == CellType::kLstm) check_close(s.c_n.data(), c.data());
    }
  }
}

TEST_CASE("recurrent_sequence gradients match finite differences, with padding and reverse") {
  for (CellType type : {CellType::kRnnTanh, CellType::kLstm, CellType::kGru}) {
    for (bool reverse : {false, true}) {
      CAPTURE(static_cast<int>(type));
      CAPTURE(reverse);
      const Inputs in = make_inputs(type, {2, 3}, 3);
      std::vector<Tensor> leaves{in.gx, in.h, in.w, in.b};
      if (in.c.defined()) leaves.push_back(in.c);
      check_gradients(
          [type, reverse](const auto& v) {
            const Tensor c = v.size() > 4 ? v[4] : Tensor();
            return flat(recurrent_sequence(type, v[0], v[1], c, v[2], v[3], {3, 2}, reverse));
          },
          leaves);
    }
  }
}

TEST_CASE("padded steps carry the state, output zeros and get no gradient") {
  const Inputs in = make_inputs(CellType::kLstm, {2, 4}, 3);
  for (bool reverse : {false, true}) {
    const SequenceOutput s =
        recurrent_sequence(CellType::kLstm, in.gx, in.h, in.c, in.w, in.b, {4, 2}, reverse);
    for (int64_t t = 2; t < 4; ++t)
      CHECK(select(select(s.y, 0, 1), 0, t).to_vector() == std::vector<float>(3, 0.0f));
    // Row 1 alone, on its two real steps, ends in the same state.
    const Tensor gx1 = narrow(narrow(in.gx, 0, 1, 1), 1, 0, 2);
    const SequenceOutput alone = recurrent_sequence(CellType::kLstm, gx1, narrow(in.h, 0, 1, 1),
                                                    narrow(in.c, 0, 1, 1), in.w, in.b, {}, reverse);
    check_close(select(s.h_n, 0, 1).data(), select(alone.h_n, 0, 0).data());
    check_close(select(s.c_n, 0, 1).data(), select(alone.c_n, 0, 0).data());
    Tensor gx = in.gx;
    gx.zero_grad();
    flat(s).sum().backward();
    const NDArray pad_grad = in.gx.grad().select(0, 1).narrow(0, 2, 2);
    CHECK(pad_grad.to_vector() == std::vector<float>(2 * 12, 0.0f));
  }
}

TEST_CASE(
    "a sequence over two threads equals one thread, forward and backward, with padding, in "
    "float32 and bf16") {
  // 45 rows of H = 128: an odd split by rows (23 + 22), 45 x G*H x H >= kParallelMacs for the
  // LSTM and the GRU (the tanh RNN's steps stay on one thread). 8 rows of H = 256: too few rows
  // to split, so the LSTM's products (8 x 1024 x 256 >= kParallelMacs) are split by columns and
  // its gate loop stays on the calling thread.
  const int previous = core::num_threads();
  std::vector<core::MatmulPrecision> precisions{core::MatmulPrecision::fp32};
  if (core::bf16_unsupported_reason().empty()) precisions.push_back(core::MatmulPrecision::bf16);
  for (const auto& [B, H] : {std::pair<int64_t, int64_t>{45, 128}, {8, 256}}) {
    std::vector<int64_t> lengths(static_cast<size_t>(B), 5);
    for (size_t r = 0; r < lengths.size(); r += 4) lengths[r] = 1 + static_cast<int64_t>(r % 5);
    for (core::MatmulPrecision precision : precisions) {
      const core::MatmulPrecisionGuard guard(precision);
      for (CellType type : {CellType::kLstm, CellType::kGru, CellType::kRnnTanh}) {
        for (bool reverse : {false, true}) {
          CAPTURE(B);
          CAPTURE(core::precision_name(precision));
          CAPTURE(static_cast<int>(type));
          CAPTURE(reverse);
          // W_hh scaled by 1/sqrt(H) as layers initialise it: with unit weights the pre-activations
          // (standard deviation sqrt(H), 16 at H = 256) saturate the gates, and the float32
          // rounding of a product split in two (OpenBLAS's Haswell kernels sum a block of columns
          // in another order than the whole, 4e-5 apart on Zen 5) grew past the tolerance in the
          // gradients.
          const Inputs in = make_inputs(type, {B, 5}, H, 1.0f / std::sqrt(static_cast<float>(H)));
          std::vector<Tensor> leaves{in.gx, in.h, in.w, in.b};
          if (in.c.defined()) leaves.push_back(in.c);
          const auto run = [&](int threads) {
            core::set_num_threads(threads);
            return flat(recurrent_sequence(type, in.gx, in.h, in.c, in.w, in.b, lengths, reverse));
          };
          check_same([&] { return run(2); }, [&] { return run(1); }, leaves);
        }
      }
    }
  }
  core::set_num_threads(previous);
}

TEST_CASE("recurrent ops check their shapes") {
  const Inputs in = make_inputs(CellType::kLstm, {2, 3}, 3);
  const auto lstm = [&](const Tensor& gx, const Tensor& h, const Tensor& c, const Tensor& w,
                        const Tensor& b, const std::vector<int64_t>& lengths = {}) {
    return recurrent_sequence(CellType::kLstm, gx, h, c, w, b, lengths);
  };
  const auto fails = [](const std::function<void()>& f, const char* text) {
    CHECK_THROWS_WITH_AS(f(), doctest::Contains(text), Error);
  };
  fails(
      [&] {
        lstm(Tensor::zeros({2, 12}), in.h, in.c, in.w, in.b);
      },
      "[lstm_sequence] gx (2, 12) must be (B, T, G*H)");
  fails(
      [&] {
        lstm(Tensor::zeros({2, 0, 12}), in.h, in.c, in.w, in.b);
      },
      "[lstm_sequence] gx (2, 0, 12)");
  fails(
      [&] {
        lstm(in.gx, in.h, in.c, Tensor::zeros({9, 3}), in.b);
      },
      "[lstm_sequence] w_hh (9, 3) must be (4 * H, H)");
  fails(
      [&] {
        lstm(Tensor::zeros({2, 3, 8}), in.h, in.c, in.w, in.b);
      },
      "[lstm_sequence] gx (2, 3, 8) does not match w_hh (12, 3)");
  fails([&] { lstm(in.gx, in.h, in.c, in.w, Tensor::zeros({3})); },
        "[lstm_sequence] b_hh (3,) must be (12,)");
  fails(
      [&] {
        lstm(in.gx, Tensor::zeros({3, 3}), in.c, in.w, in.b);
      },
      "[lstm_sequence] h (3, 3) must be (B, H) = (2, 3)");
  fails(
      [&] {
        lstm(in.gx, in.h, Tensor::zeros({2, 4}), in.w, in.b);
      },
      "[lstm_sequence] c (2, 4) must be (B, H) = (2, 3)");
  fails([&] { lstm(in.gx, in.h, in.c, in.w, in.b, {3}); },
        "[lstm_sequence] 1 lengths for a batch of 2 (gx (2, 3, 12))");
  fails(
      [&] {
        lstm(in.gx, in.h, in.c, in.w, in.b, {3, 4});
      },
      "[lstm_sequence] length 4 out of range [1, 3] (gx (2, 3, 12))");
  fails(
      [&] {
        lstm(in.gx, in.h, in.c, in.w, in.b, {0, 3});
      },
      "[lstm_sequence] length 0 out of range");
  const Inputs g = make_inputs(CellType::kGru, {2}, 3);
  fails(
      [&] {
        gru_cell(Tensor::zeros({2, 1, 9}), g.h, g.w, g.b);
      },
      "[gru_cell] gx (2, 1, 9) must be (B, G*H)");
  fails(
      [&] {
        recurrent_sequence(CellType::kGru, Tensor::zeros({2, 1, 9}), g.h, g.h, g.w, g.b);
      },
      "[gru_sequence] has no cell state, but c (2, 3) was given");
  fails(
      [&] {
        rnn_tanh_cell(Tensor::zeros({2, 4}), g.h, Tensor::zeros({3, 3}), Tensor());
      },
      "[rnn_tanh_cell] gx (2, 4) does not match w_hh (3, 3)");
  fails(
      [&] {
        lstm_cell(in.gx.select(1, 0), in.h, Tensor::zeros({1, 3}), in.w, in.b);
      },
      "[lstm_cell] c (1, 3) must be (B, H) = (2, 3)");
}
