// The measured figure of the guide's RNN chapter (docs/guide/04-rnn.md): how much the last state
// of a recurrent layer still depends on an input k steps back, for a plain tanh RNN and an LSTM.
// For a random input sequence x (B, T, I) and a fixed random direction u (B, H), it takes
//   L = sum(h_T * u),   g_k = mean over the batch of || dL / dx_{T-1-k} ||
// and draws log10 g_k against the distance k (an SVG line chart by seq2seq/report/svg_plot.h).
//
//   ./build/examples/guide_figures docs/guide/figures/vanishing_gradients.svg
#include <spdlog/spdlog.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "ember/core/atomic_file.h"
#include "ember/ember.h"
#include "ember/seq2seq/report/svg_plot.h"

using namespace ember;

namespace {

constexpr int64_t kBatch = 32, kSteps = 100, kInput = 16, kHidden = 64;

// [gradient_by_distance]
// g[k] = mean_b || dL/dx[b, T-1-k, :] ||  with  L = sum(h_T * u):  how strongly the last state
// responds to the input k steps before it. `last_state` maps x (B, T, I) to h_T (B, H).
std::vector<double> gradient_by_distance(const std::function<Tensor(const Tensor&)>& last_state,
                                         const Tensor& x, const Tensor& u) {
  Tensor input = x.detach().set_requires_grad(true);
  sum(last_state(input) * u).backward();
  const NDArray& g = input.grad();  // (B, T, I)
  const int64_t batch = g.size(0), steps = g.size(1), width = g.size(2);
  std::vector<double> by_distance(static_cast<size_t>(steps), 0.0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < steps; ++t) {
      double squares = 0.0;
      for (int64_t i = 0; i < width; ++i) squares += std::pow(g.at({b, t, i}), 2.0);
      by_distance[steps - 1 - t] += std::sqrt(squares) / batch;
    }
  return by_distance;
}
// [gradient_by_distance]

// Sets the LSTM's forget-gate bias (bias_ih block f, rows [H, 2H)) to `value` and zeroes bias_hh's
// block f, so the gate starts at sigmoid(value + ...). Gers et al. (2000) start it positive.
void set_forget_bias(nn::LSTM& lstm, float value) {
  NoGradGuard no_grad;
  for (const auto& [name, p] : lstm.named_parameters()) {
    if (name == "bias_ih_l0") p.data().narrow(0, kHidden, kHidden).fill_(value);
    if (name == "bias_hh_l0") p.data().narrow(0, kHidden, kHidden).fill_(0.0f);
  }
}

seq2seq::Series series(const std::string& name, const std::vector<double>& g) {
  seq2seq::Series s{name, {}, {}};
  for (size_t k = 0; k < g.size(); ++k) {
    s.x.push_back(static_cast<double>(k));
    s.y.push_back(std::log10(g[k]));
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string path = argc > 1 ? argv[1] : "vanishing_gradients.svg";
  core::manual_seed(0);
  const nn::RecurrentOptions options{.input_size = kInput, .hidden_size = kHidden};
  nn::RNN rnn(options);
  nn::LSTM lstm(options), lstm_forget(options);
  set_forget_bias(lstm_forget, 3.0f);
  const Tensor x = Tensor::randn({kBatch, kSteps, kInput});
  const Tensor u = Tensor::randn({1, kBatch, kHidden});  // h_n is (layers, B, H)

  const auto rnn_g =
      gradient_by_distance([&](const Tensor& in) { return rnn.forward(in).h_n; }, x, u);
  const auto lstm_g =
      gradient_by_distance([&](const Tensor& in) { return lstm.forward(in).h_n; }, x, u);
  const auto forget_g =
      gradient_by_distance([&](const Tensor& in) { return lstm_forget.forward(in).h_n; }, x, u);

  spdlog::info("B {} T {} I {} H {}; mean ||dL/dx_(T-1-k)|| by distance k:", kBatch, kSteps, kInput,
               kHidden);
  spdlog::info("{:>4}  {:>10}  {:>10}  {:>14}", "k", "RNN", "LSTM", "LSTM b_f = 3");
  for (int64_t k : {0, 1, 2, 5, 10, 20, 30, 50, 75, 99})
    spdlog::info("{:>4}  {:>10.3e}  {:>10.3e}  {:>14.3e}", k, rnn_g[k], lstm_g[k], forget_g[k]);

  seq2seq::LineChart chart{.title = "How far back the gradient reaches (at initialisation)",
                           .x_label = "distance k = T-1-t (steps back from the last state)",
                           .y_label = "log10 mean ||dL/dx_t||"};
  chart.series = {series("RNN (tanh)", rnn_g), series("LSTM", lstm_g),
                  series("LSTM, forget bias 3", forget_g)};
  core::write_file_atomic(path, seq2seq::svg_line_charts({chart}), "[guide_figures]");
  spdlog::info("wrote {}", path);
  return 0;
} catch (const ember::Error& e) {
  spdlog::error("{}", e.what());
  return 1;
}
