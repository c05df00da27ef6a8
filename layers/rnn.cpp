#include "ember/layers/rnn.h"

#include <cctype>
#include <cmath>
#include <string>

#include "ember/autograd/ops/linear_algebra.h"
#include "ember/autograd/ops/nn.h"
#include "ember/autograd/ops/shape.h"
#include "ember/core/error.h"
#include "ember/layers/init.h"

namespace ember::nn {
namespace {

// Errors are tagged with the layer's name in lower case: "rnn", "lstm" or "gru".
std::string error_tag(CellType type) {
  std::string tag = torch_layer_name(type);
  for (char& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tag;
}

std::string shape_or_none(const Tensor& t) {
  return t.defined() ? core::shape_str(t.shape()) : "none";
}

}  // namespace

RecurrentLayer::RecurrentLayer(CellType type, const RecurrentOptions& options)
    : type_(type), name_(error_tag(type)), options_(options) {
  const RecurrentOptions& o = options;
  EMBER_CHECK(o.input_size > 0 && o.hidden_size > 0 && o.num_layers > 0,
              "[{}] input_size, hidden_size and num_layers must be positive, got ({}, {}, {})",
              name_, o.input_size, o.hidden_size, o.num_layers);
  EMBER_CHECK(o.dropout >= 0.0f && o.dropout < 1.0f, "[{}] dropout must be in [0, 1), got {}",
              name_, o.dropout);
  const int64_t D = num_directions(), H = o.hidden_size, GH = gate_count(type) * H;
  const float bound = 1.0f / std::sqrt(static_cast<float>(H));
  auto param = [&](const std::string& name, const Shape& shape) {
    const Tensor t = register_parameter(name, Tensor::zeros(shape));
    init::uniform_(t, bound);
    return t;
  };
  for (int64_t k = 0; k < o.num_layers; ++k) {
    for (int64_t d = 0; d < D; ++d) {  // torch's order: w_ih, w_hh, b_ih, b_hh per direction
      const std::string sfx = "_l" + std::to_string(k) + (d == 1 ? "_reverse" : "");
      Weights w;
      w.w_ih = param("weight_ih" + sfx, {GH, k == 0 ? o.input_size : D * H});
      w.w_hh = param("weight_hh" + sfx, {GH, H});
      if (o.bias) {
        w.b_ih = param("bias_ih" + sfx, {GH});
        w.b_hh = param("bias_hh" + sfx, {GH});
      }
      weights_.push_back(w);
    }
  }
}

void RecurrentLayer::check_state(const char* what, const Tensor& s, int64_t batch,
                                 const Tensor& x) const {
  const Shape want{options_.num_layers * num_directions(), batch, options_.hidden_size};
  EMBER_CHECK(s.shape() == want, "[{}] {} {} must be (L*D, B, H) = {} for input {}", name_, what,
              core::shape_str(s.shape()), core::shape_str(want), core::shape_str(x.shape()));
}

void RecurrentLayer::check_forward(const Tensor& x, const RecurrentState& state,
                                   const std::vector<int64_t>& lengths) const {
  const char* layout = options_.batch_first ? "(B, T, I)" : "(T, B, I)";
  EMBER_CHECK(x.dim() == 3 && x.size(2) == options_.input_size && x.size(0) > 0 && x.size(1) > 0,
              "[{}] input {} must be {} with I = input_size = {} and B, T > 0", name_,
              core::shape_str(x.shape()), layout, options_.input_size);
  if (type_ == CellType::kLstm)
    EMBER_CHECK(state.h.defined() == state.c.defined(),
                "[{}] h0 and c0 must be given together (h0 {}, c0 {}) for input {}", name_,
                shape_or_none(state.h), shape_or_none(state.c), core::shape_str(x.shape()));
  else
    EMBER_CHECK(!state.c.defined(), "[{}] has no cell state, got c0 {} for input {}", name_,
                core::shape_str(state.c.shape()), core::shape_str(x.shape()));
  const int64_t B = x.size(options_.batch_first ? 0 : 1), T = x.size(options_.batch_first ? 1 : 0);
  if (state.h.defined()) check_state("h0", state.h, B, x);
  if (state.c.defined()) check_state("c0", state.c, B, x);
  EMBER_CHECK(static_cast<int64_t>(lengths.size()) == B || lengths.empty(),
              "[{}] got {} lengths for a batch of {} (input {})", name_, lengths.size(), B,
              core::shape_str(x.shape()));
  for (int64_t len : lengths)
    EMBER_CHECK(len >= 1 && len <= T, "[{}] length {} out of range [1, {}] (input {})", name_, len,
                T, core::shape_str(x.shape()));
}

void RecurrentLayer::quantize_int8() {
  for (Weights& w : weights_) w.w_ih_int8 = quantize_weight(w.w_ih, name_.c_str());
}

RecurrentOutput RecurrentLayer::forward(const Tensor& x, const RecurrentState& state,
                                        const std::vector<int64_t>& lengths) const {
  check_forward(x, state, lengths);
  const int64_t D = num_directions(), L = options_.num_layers;
  Tensor input = options_.batch_first ? x : transpose(x, 0, 1);  // (B, T, I_k)
  std::vector<Tensor> h_n, c_n;
  for (int64_t k = 0; k < L; ++k) {
    std::vector<Tensor> outputs;
    for (int64_t d = 0; d < D; ++d) {
      const int64_t index = k * D + d;
      const Weights& w = weights_[static_cast<size_t>(index)];
      // (B, T, G*H): every step in one GEMM
      const Tensor gx = w.w_ih_int8 ? quantized_linear(input, *w.w_ih_int8, 0, w.w_ih.size(0),
                                                       w.b_ih, name_.c_str())
                                    : linear(input, w.w_ih, w.b_ih);
      const SequenceOutput s =
          recurrent_sequence(type_, gx, state.h.defined() ? select(state.h, 0, index) : Tensor(),
                             state.c.defined() ? select(state.c, 0, index) : Tensor(), w.w_hh,
                             w.b_hh, lengths, d == 1);
      outputs.push_back(s.y);
      h_n.push_back(s.h_n);
      if (s.c_n.defined()) c_n.push_back(s.c_n);
    }
    input = D == 2 ? cat(outputs, 2) : outputs[0];
    if (k + 1 < L && options_.dropout > 0.0f && is_training())
      input = dropout(input, options_.dropout, true);
  }
  RecurrentOutput out;
  out.output = options_.batch_first ? input : transpose(input, 0, 1);
  out.h_n = stack(h_n, 0);
  if (!c_n.empty()) out.c_n = stack(c_n, 0);
  return out;
}

const char* torch_layer_name(CellType type) {
  switch (type) {
    case CellType::kRnnTanh:
      return "RNN";
    case CellType::kLstm:
      return "LSTM";
    case CellType::kGru:
      break;
  }
  return "GRU";
}

std::string RecurrentLayer::type_name() const { return torch_layer_name(type_); }

// torch's RNNBase.extra_repr: sizes, then the options that differ from torch's defaults
// (batch_first=True is ember's default, not torch's, so it is shown).
std::string RecurrentLayer::extra_repr() const {
  const RecurrentOptions& o = options_;
  std::string text = fmt::format("{}, {}", o.input_size, o.hidden_size);
  if (o.num_layers != 1) text += fmt::format(", num_layers={}", o.num_layers);
  if (!o.bias) text += ", bias=False";
  if (o.batch_first) text += ", batch_first=True";
  if (o.dropout != 0.0f) text += ", dropout=" + python_repr(o.dropout);
  if (o.bidirectional) text += ", bidirectional=True";
  return text;
}

}  // namespace ember::nn
