#include "ember/autograd/ops/recurrent.h"

#include <algorithm>

#include "ember/autograd/gradients_internal.h"
#include "ember/autograd/node.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/blas.h"
#include "ember/core/error.h"
#include "ember/core/gemm_packed.h"
#include "ember/core/precision.h"
#include "ember/core/recurrent_kernels.h"
#include "ember/core/reduce.h"
#include "ember/core/threads.h"
#include "ember/core/weight_pack.h"

namespace ember {
namespace {

using core::GruCell;
using core::LstmCell;
using core::RnnTanhCell;

// What backward keeps of the forward pass, batch-major like gx: row (b, t) at b*T + t.
struct Saved {
  NDArray acts;   // (B, T, kSaved*H)
  NDArray hprev;  // (B, T, H) the state each step started from
  NDArray cprev;  // (B, T, H) the same for the LSTM's cell state
};

using PackedWeight = std::shared_ptr<const core::PackedMatrix>;

// W_hh^T packed for the forward products of the steps (core/gemm_packed.h): from the caller's
// WeightPack, which keeps it across calls, else packed here when the T steps reuse it. Null
// (core::gemm) for a single step without a WeightPack, whose own packing then costs the same,
// and where packed products do not apply (core::packed_weights_apply).
PackedWeight step_weight(const NDArray& w, int64_t T, core::WeightPack* pack) {
  if (pack) return pack->get(w);
  if (T == 1 || !core::packed_weights_apply()) return nullptr;
  return std::make_shared<const core::PackedMatrix>(core::pack_transposed(w));
}

// W_hh itself packed for the input-gradient products dgh W_hh of backward, under bf16 products
// only (in float32 core::gemm is as fast there: core/weight_pack.h): from the caller's WeightPack,
// else packed here when the T steps reuse it. Null: core::gemm.
PackedWeight backward_step_weight(const NDArray& w, int64_t T, core::WeightPack* pack) {
  if (core::matmul_precision() != core::MatmulPrecision::bf16) return nullptr;
  if (pack) return pack->get_untransposed(w);
  if (T == 1) return nullptr;
  return std::make_shared<const core::PackedMatrix>(core::pack_untransposed(w));
}

// Rows a thread needs for a split by rows: each thread then reads all of W_hh, so its rows must
// make its product bound by arithmetic (16 multiply-adds a weight read), not by memory.
constexpr int64_t kMinRowsPerThread = 16;

// One time step over the batch's B rows: rows(r0, r1) for blocks of rows spread over ember's
// threads when the step's product (B x `macs_per_row` multiply-adds) is worth waking the pool for,
// as core::gemm decides, and every thread gets kMinRowsPerThread rows; inside, each product runs
// on its own thread. Otherwise rows(0, B) here, whose product core::gemm splits by columns (a
// beam's few rows: each thread reads half of W_hh) while the gate loop stays on this thread.
template <class Rows>
void step_over_rows(int64_t B, int64_t macs_per_row, const Rows& rows) {
  const int threads = core::num_threads();
  if (threads == 1 || B * macs_per_row < core::kParallelMacs || B < kMinRowsPerThread * threads)
    rows(0, B);
  else
    core::parallel_chunks(B, rows);
}

// The row b runs step t (a real step, not padding).
bool active(const std::vector<int64_t>& lengths, int64_t b, int64_t t) {
  return lengths.empty() || t < lengths[static_cast<size_t>(b)];
}

// Forward of the whole sequence into the packed output (see the header): `packed` holds h_n
// (B, H), [c_n (B, H)], then y (B, T, H), all contiguous. gx: (B, T, G*H) with unit stride in the
// last dim; w: (G*H, H) and b: (G*H) contiguous; w_t: W_hh^T packed, or null (step_weight).
// Threads: each step is split over ember's pool by rows of the batch, each thread running the
// product of its rows and then their gate loop, so that the loop runs in parallel without a
// second wake-up of the pool (a row's gates need only its own row of the product).
template <class Cell>
void forward_sequence(const NDArray& gx, const NDArray& h0, const NDArray& c0, const NDArray& w,
                      const PackedWeight& w_t, const NDArray& b,
                      const std::vector<int64_t>& lengths, bool reverse, const NDArray& packed,
                      Saved& saved) {
  const int64_t B = gx.size(0), T = gx.size(1), GH = gx.size(2), H = w.size(1);
  const bool lstm = Cell::kStates == 2;
  float* h = packed.data();  // the running state lives where h_n ends up
  float* c = lstm ? h + B * H : nullptr;
  float* y = h + Cell::kStates * B * H;
  packed.narrow(0, 0, B * H).view({B, H}).copy_(h0);
  if (lstm) packed.narrow(0, B * H, B * H).view({B, H}).copy_(c0);
  const NDArray gh = NDArray::empty({B, GH});
  saved.acts = NDArray::empty({B, T, Cell::kSaved * H});
  saved.hprev = NDArray::empty({B, T, H});
  if (lstm) saved.cprev = NDArray::empty({B, T, H});
  const int64_t sb = gx.strides()[0], st = gx.strides()[1];
  const core::CellKernels& cell = core::cell_kernels<Cell>();
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = reverse ? T - 1 - s : s;
    const auto rows = [&](int64_t r0, int64_t r1) {
      float* ghr = gh.data() + r0 * GH;
      if (w_t)
        core::gemm_packed(false, r1 - r0, 1.0f, h + r0 * H, H, *w_t, 0.0f, ghr, GH);
      else
        core::gemm(false, true, r1 - r0, GH, H, 1.0f, h + r0 * H, H, w.data(), H, 0.0f, ghr, GH);
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t row = r * T + t;
        float* hr = h + r * H;
        std::copy(hr, hr + H, saved.hprev.data() + row * H);
        if (lstm) std::copy(c + r * H, c + (r + 1) * H, saved.cprev.data() + row * H);
        if (active(lengths, r, t)) {
          cell.forward(H, gx.data() + r * sb + t * st, gh.data() + r * GH, b.data(), hr,
                       lstm ? c + r * H : nullptr, saved.acts.data() + row * Cell::kSaved * H);
          std::copy(hr, hr + H, y + row * H);
        } else {
          std::fill(y + row * H, y + (row + 1) * H, 0.0f);
        }
      }
    };
    step_over_rows(B, GH * H, rows);
  }
}

// Backward through time from dpacked (the packed layout, contiguous); sets the gradients of the
// op's inputs (gx, h0, c0, w_hh, b_hh) with the formulas of the header.
template <class Cell>
void backward_sequence(const NDArray& dpacked, const Saved& saved, const NDArray& w,
                       const PackedWeight& w_back, const std::vector<int64_t>& lengths,
                       bool reverse, Gradients& g) {
  const int64_t B = saved.hprev.size(0), T = saved.hprev.size(1), H = saved.hprev.size(2);
  const int64_t GH = Cell::kGates * H;
  const bool lstm = Cell::kStates == 2;
  const NDArray dgx = NDArray::empty({B, T, GH});
  const NDArray dgh = Cell::kSeparateGh ? NDArray::empty({B, T, GH}) : dgx;
  const NDArray dh = dpacked.narrow(0, 0, B * H).view({B, H}).clone();
  const NDArray dc = lstm ? dpacked.narrow(0, B * H, B * H).view({B, H}).clone() : NDArray();
  const float* dy = dpacked.data() + Cell::kStates * B * H;
  const core::CellKernels& cell = core::cell_kernels<Cell>();
  for (int64_t s = T - 1; s >= 0; --s) {
    const int64_t t = reverse ? T - 1 - s : s;
    // As forward: each thread runs the gate loop of its rows, then their product dgh W_hh.
    const auto rows = [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t row = r * T + t;
        float* dgx_r = dgx.data() + row * GH;
        float* dgh_r = dgh.data() + row * GH;
        if (!active(lengths, r, t)) {  // padding: the state passed through untouched
          std::fill(dgx_r, dgx_r + GH, 0.0f);
          std::fill(dgh_r, dgh_r + GH, 0.0f);
          continue;
        }
        float* dh_r = dh.data() + r * H;
        for (int64_t j = 0; j < H; ++j) dh_r[j] += dy[row * H + j];
        cell.backward(H, saved.acts.data() + row * Cell::kSaved * H, saved.hprev.data() + row * H,
                      lstm ? saved.cprev.data() + row * H : nullptr, dh_r,
                      lstm ? dc.data() + r * H : nullptr, dgx_r, dgh_r);
      }
      const float* dgh_rows = dgh.data() + (r0 * T + t) * GH;
      float* dh_rows = dh.data() + r0 * H;
      if (w_back)
        core::gemm_packed(false, r1 - r0, 1.0f, dgh_rows, T * GH, *w_back, 1.0f, dh_rows, H);
      else
        core::gemm(false, false, r1 - r0, H, GH, 1.0f, dgh_rows, T * GH, w.data(), H, 1.0f, dh_rows,
                   H);
    };
    step_over_rows(B, GH * H, rows);
  }
  GradientsInternal::add_product(g, 3, dgh.view({B * T, GH}).transpose(0, 1),
                                 saved.hprev.view({B * T, H}));
  if (g.wants(4)) g.set(4, core::sum(dgh.view({B * T, GH}), {0}));
  g.set(0, dgx);
  g.set(1, dh);
  if (lstm) g.set(2, dc);
}

template <class Cell>
SequenceOutput run_sequence(const char* op, const Tensor& gx, const Tensor& h0, const Tensor& c0,
                            const Tensor& w_hh, const Tensor& b_hh,
                            const std::vector<int64_t>& lengths, bool reverse,
                            const std::shared_ptr<core::WeightPack>& w_pack) {
  const int64_t B = gx.size(0), T = gx.size(1), H = w_hh.size(1);
  const int64_t GH = Cell::kGates * H, S = Cell::kStates;
  const Tensor h_init = h0.defined() ? h0 : Tensor::zeros({B, H});
  const Tensor c_init = !c0.defined() ? Tensor::zeros({S == 2 ? B : 0, H}) : c0;
  const Tensor bias = b_hh.defined() ? b_hh : Tensor::zeros({GH});
  const NDArray gxd = gx.data().strides()[2] == 1 ? gx.data() : gx.data().contiguous();
  const NDArray w = w_hh.data().contiguous();
  const NDArray packed = NDArray::empty({(S + T) * B * H});
  Saved saved;
  forward_sequence<Cell>(gxd, h_init.data(), c_init.data(), w, step_weight(w, T, w_pack.get()),
                         bias.data().contiguous(), lengths, reverse, packed, saved);
  const Tensor out = make_result(
      packed, op, {gx, h_init, c_init, w_hh, bias},
      [saved, w, lengths, reverse, w_pack](const NDArray& dy, Gradients& g) {
        const int64_t T = saved.hprev.size(1);
        backward_sequence<Cell>(dy.contiguous(), saved, w, backward_step_weight(w, T, w_pack.get()),
                                lengths, reverse, g);
      });
  SequenceOutput result;
  result.h_n = reshape(narrow(out, 0, 0, B * H), {B, H});
  if (S == 2) result.c_n = reshape(narrow(out, 0, B * H, B * H), {B, H});
  result.y = reshape(narrow(out, 0, S * B * H, T * B * H), {B, T, H});
  return result;
}

// Shape checks shared by the sequence op and the cells; gx_shape is the caller's gx for messages.
void check_inputs(const char* op, CellType type, const Shape& gx_shape, int64_t B, int64_t GH,
                  const Tensor& h, const Tensor& c, const Tensor& w_hh, const Tensor& b_hh) {
  const int64_t G = gate_count(type);
  EMBER_CHECK(w_hh.dim() == 2 && w_hh.size(0) == G * w_hh.size(1) && w_hh.size(1) > 0,
              "[{}] w_hh {} must be ({} * H, H) with H > 0", op, core::shape_str(w_hh.shape()), G);
  const int64_t H = w_hh.size(1);
  EMBER_CHECK(GH == G * H, "[{}] gx {} does not match w_hh {}: its last dim must be {}", op,
              core::shape_str(gx_shape), core::shape_str(w_hh.shape()), G * H);
  EMBER_CHECK(!b_hh.defined() || b_hh.shape() == Shape{G * H}, "[{}] b_hh {} must be {}", op,
              core::shape_str(b_hh.shape()), core::shape_str({G * H}));
  EMBER_CHECK(!h.defined() || (h.shape() == Shape{B, H}), "[{}] h {} must be (B, H) = ({}, {})", op,
              core::shape_str(h.shape()), B, H);
  if (type == CellType::kLstm) {
    EMBER_CHECK(!c.defined() || (c.shape() == Shape{B, H}), "[{}] c {} must be (B, H) = ({}, {})",
                op, core::shape_str(c.shape()), B, H);
  } else {
    EMBER_CHECK(!c.defined(), "[{}] has no cell state, but c {} was given", op,
                core::shape_str(c.shape()));
  }
}

template <class F>
auto dispatch(CellType type, F&& f) {
  switch (type) {
    case CellType::kRnnTanh:
      return f(RnnTanhCell{});
    case CellType::kLstm:
      return f(LstmCell{});
    case CellType::kGru:
      break;
  }
  return f(GruCell{});
}

const char* sequence_op_name(CellType type) {
  switch (type) {
    case CellType::kRnnTanh:
      return "rnn_tanh_sequence";
    case CellType::kLstm:
      return "lstm_sequence";
    case CellType::kGru:
      break;
  }
  return "gru_sequence";
}

// A cell step: the sequence op with T = 1.
SequenceOutput run_cell(const char* op, CellType type, const Tensor& gx, const Tensor& h,
                        const Tensor& c, const Tensor& w_hh, const Tensor& b_hh,
                        const std::shared_ptr<core::WeightPack>& w_pack) {
  EMBER_CHECK(gx.dim() == 2, "[{}] gx {} must be (B, G*H)", op, core::shape_str(gx.shape()));
  check_inputs(op, type, gx.shape(), gx.size(0), gx.size(1), h, c, w_hh, b_hh);
  return dispatch(type, [&](auto cell) {
    return run_sequence<decltype(cell)>(op, unsqueeze(gx, 1), h, c, w_hh, b_hh, {}, false, w_pack);
  });
}

}  // namespace

int64_t gate_count(CellType type) {
  return dispatch(type, [](auto cell) { return decltype(cell)::kGates; });
}

SequenceOutput recurrent_sequence(CellType type, const Tensor& gx, const Tensor& h0,
                                  const Tensor& c0, const Tensor& w_hh, const Tensor& b_hh,
                                  const std::vector<int64_t>& lengths, bool reverse) {
  const char* op = sequence_op_name(type);
  EMBER_CHECK(gx.dim() == 3 && gx.size(0) > 0 && gx.size(1) > 0,
              "[{}] gx {} must be (B, T, G*H) with B, T > 0", op, core::shape_str(gx.shape()));
  const int64_t B = gx.size(0), T = gx.size(1);
  check_inputs(op, type, gx.shape(), B, gx.size(2), h0, c0, w_hh, b_hh);
  EMBER_CHECK(lengths.empty() || static_cast<int64_t>(lengths.size()) == B,
              "[{}] {} lengths for a batch of {} (gx {})", op, lengths.size(), B,
              core::shape_str(gx.shape()));
  for (int64_t len : lengths)
    EMBER_CHECK(len >= 1 && len <= T, "[{}] length {} out of range [1, {}] (gx {})", op, len, T,
                core::shape_str(gx.shape()));
  return dispatch(type, [&](auto cell) {
    return run_sequence<decltype(cell)>(op, gx, h0, c0, w_hh, b_hh, lengths, reverse, nullptr);
  });
}

Tensor rnn_tanh_cell(const Tensor& gx, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh,
                     const std::shared_ptr<core::WeightPack>& w_hh_pack) {
  return run_cell("rnn_tanh_cell", CellType::kRnnTanh, gx, h, Tensor(), w_hh, b_hh, w_hh_pack).h_n;
}

Tensor gru_cell(const Tensor& gx, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh,
                const std::shared_ptr<core::WeightPack>& w_hh_pack) {
  return run_cell("gru_cell", CellType::kGru, gx, h, Tensor(), w_hh, b_hh, w_hh_pack).h_n;
}

LstmState lstm_cell(const Tensor& gx, const Tensor& h, const Tensor& c, const Tensor& w_hh,
                    const Tensor& b_hh, const std::shared_ptr<core::WeightPack>& w_hh_pack) {
  SequenceOutput out = run_cell("lstm_cell", CellType::kLstm, gx, h, c, w_hh, b_hh, w_hh_pack);
  return {out.h_n, out.c_n};
}

}  // namespace ember
