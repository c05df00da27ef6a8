// The guide (docs/guide/): the solution of each chapter's exercise, checked by one TEST_CASE named
// after the chapter ("04-rnn exercise: ..."), and every C++ block of the guide, compiled and run
// here (the test "guide: every C++ block ..." finds each block of docs/guide/*.md in this file or
// in examples/guide_*.cpp, so a block that stops compiling fails the build).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ember/core/elementwise.h"
#include "ember/core/reduce.h"
#include "ember/core/strided.h"
#include "ember/ember.h"
#include "ember/seq2seq/data/batching.h"
#include "ember/seq2seq/data/dates_corpus.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"
#include "ember/seq2seq/lab/lineup.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/search/beam.h"
#include "ember/seq2seq/search/greedy.h"
#include "support/check.h"

using namespace ember;
using namespace ember::seq2seq;
using ember::testing::check_gradients;
using ember::testing::max_abs_diff;

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
}  // namespace

// ---- 01 tensors and broadcasting ---------------------------------------------------------------

TEST_CASE("01-tensors: the chapter's code") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});  // rows (1 2 3) and (4 5 6)
  Tensor xt = x.transpose(0, 1);  // (3, 2), strides (1, 3): a view, nothing is copied
  Tensor bias = Tensor::from_vector({10, 20, 30}, {3});
  Tensor y = x + bias;  // (2, 3) + (3,) -> (2, 3): rows (11 22 33) and (14 25 36)
  Tensor col = Tensor::from_vector({0, 100}, {2, 1});
  Tensor outer = col + bias;  // (2, 1) + (3,) -> (2, 3): rows (10 20 30) and (110 120 130)

  CHECK(xt.shape() == Shape{3, 2});
  CHECK(xt.data().strides() == Shape{1, 3});
  CHECK(xt.data().shares_storage_with(x.data()));
  CHECK(xt.to_vector() == std::vector<float>{1, 4, 2, 5, 3, 6});
  CHECK(y.to_vector() == std::vector<float>{11, 22, 33, 14, 25, 36});
  CHECK(outer.to_vector() == std::vector<float>{10, 20, 30, 110, 120, 130});

  Tensor b = Tensor::zeros({3}, /*requires_grad=*/true);
  Tensor total = sum(x + b);  // b is broadcast over the 2 rows of x
  total.backward();           // b.grad() = (2, 2, 2): each element of b was used twice
  CHECK(b.grad().to_vector() == std::vector<float>{2, 2, 2});

  CHECK_THROWS_WITH_AS(x + Tensor::zeros({4}), "[add] shapes (2, 3) and (4,) cannot be broadcast",
                       ember::Error);
}

// Exercise solution. D[i][j] = ||a_i - b_j||^2 for a (N, D) and b (M, D), without a loop:
// (N, 1, D) - (1, M, D) broadcasts to (N, M, D), then the sum over the last dim gives (N, M).
Tensor pairwise_sq_distances(const Tensor& a, const Tensor& b) {
  const Tensor diff = unsqueeze(a, 1) - unsqueeze(b, 0);
  return sum(diff * diff, {2});
}

TEST_CASE("01-tensors exercise: pairwise squared distances by broadcasting") {
  core::manual_seed(1);
  const Tensor a = Tensor::randn({4, 3}, true), b = Tensor::randn({5, 3}, true);
  const Tensor d = pairwise_sq_distances(a, b);
  REQUIRE(d.shape() == Shape{4, 5});
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      double want = 0.0;
      for (int64_t k = 0; k < 3; ++k)
        want += std::pow(a.data().at({i, k}) - b.data().at({j, k}), 2.0);
      CHECK(d.data().at({i, j}) == doctest::Approx(want).epsilon(1e-5));
    }
  // The distance of a set of points to itself has a zero diagonal.
  const Tensor self = pairwise_sq_distances(a, a);
  for (int64_t i = 0; i < 4; ++i) CHECK(self.data().at({i, i}) == doctest::Approx(0.0));
  // Its gradient flows back through the broadcast (summed over the dims that were expanded).
  check_gradients([](const auto& in) { return pairwise_sq_distances(in[0], in[1]); }, {a, b});
}

// ---- 02 autograd from scratch ------------------------------------------------------------------

// y = x^3;  dx = dy * 3 x^2
Tensor cube(const Tensor& x) {
  NDArray xd = x.data();
  NDArray y = core::map(xd, [](float v) { return v * v * v; });
  return make_result(y, "cube", {x}, [xd](const NDArray& dy, Gradients& g) {
    g.set(0, core::zip(dy, xd, "cube", [](float d, float v) { return d * 3.0f * v * v; }));
  });
}

TEST_CASE("02-autograd: the chapter's code") {
  Tensor a = Tensor::full({1}, 2.0f, /*requires_grad=*/true);
  Tensor b = Tensor::full({1}, -3.0f, /*requires_grad=*/true);
  Tensor c = a * b;      // c = -6
  Tensor L = c + b * b;  // L = ab + b^2 = 3; b is used on two paths
  L.backward();
  // a.grad() = dL/da = b = -3;  b.grad() = dL/db = a + 2b = -4 (the two paths add up)
  CHECK(L.item() == 3.0f);
  CHECK(a.grad().item() == -3.0f);
  CHECK(b.grad().item() == -4.0f);

  Tensor x = Tensor::from_vector({-1.0f, 0.5f, 2.0f}, {3}, true);
  sum(cube(x)).backward();  // x.grad() = 3 x^2 = (3, 0.75, 12)
  CHECK(x.grad().to_vector() == std::vector<float>{3.0f, 0.75f, 12.0f});
  check_gradients([](const auto& in) { return cube(in[0]); }, {Tensor::randn({2, 3}, true)});

  Tensor p;
  {
    NoGradGuard no_grad;  // nothing in this scope is recorded
    p = a * b;            // p.requires_grad() is false: no graph, no gradient
  }
  CHECK_FALSE(p.requires_grad());
  CHECK(a.detach().requires_grad() == false);
}

// Exercise solution. swish(x) = x * sigmoid(x) (Ramachandran et al., 2017) as ONE op:
//   d swish / dx = s + x s (1 - s),  s = sigmoid(x)
Tensor swish(const Tensor& x) {
  NDArray xd = x.data();
  NDArray y = core::map(xd, [](float v) { return v / (1.0f + std::exp(-v)); });
  return make_result(y, "swish", {x}, [xd](const NDArray& dy, Gradients& g) {
    g.set(0, core::zip(dy, xd, "swish", [](float d, float v) {
            const float s = 1.0f / (1.0f + std::exp(-v));
            return d * (s + v * s * (1.0f - s));
          }));
  });
}

TEST_CASE("02-autograd exercise: swish as one op with its own backward") {
  core::manual_seed(2);
  const Tensor x = Tensor::randn({3, 4}, true);
  check_gradients([](const auto& in) { return swish(in[0]); }, {x});
  // Values and gradients equal those of the same function composed of ember's ops.
  Tensor x1 = x.detach().set_requires_grad(true), x2 = x.detach().set_requires_grad(true);
  const Tensor upstream = Tensor::randn({3, 4});
  sum(swish(x1) * upstream).backward();
  sum(x2 * sigmoid(x2) * upstream).backward();
  CHECK(max_abs_diff(swish(x1).data(), (x2 * sigmoid(x2)).data()) < 1e-6f);
  CHECK(max_abs_diff(x1.grad(), x2.grad()) < 1e-5f);
  // The graph has one node for swish where the composed form has two (sigmoid, then mul).
  CHECK(std::string(swish(x).grad_fn()->op) == "swish");
}

// ---- 03 Linear and the training loop -----------------------------------------------------------

TEST_CASE("03-training-loop: the chapter's code") {
  core::manual_seed(0);
  nn::Linear model(/*in_features=*/3, /*out_features=*/1);
  optim::SGD opt(model.parameters(), {.lr = 0.1f});
  const Tensor x = Tensor::randn({64, 3});                                 // (N, I)
  const Tensor true_w = Tensor::from_vector({2.0f, -1.0f, 0.5f}, {1, 3});  // (O, I)
  const Tensor target = linear(x, true_w, Tensor::full({1}, 0.3f));        // (N, O)
  for (int step = 0; step < 200; ++step) {
    opt.zero_grad();                                           // forget the last gradients
    Tensor loss = mean(pow(model.forward(x) - target, 2.0f));  // mean squared error
    loss.backward();                                           // dL/dweight, dL/dbias
    opt.step();                                                // p = p - lr * dL/dp
  }
  // model.weight() is now (2, -1, 0.5) and model.bias() 0.3, to 3 decimals

  CHECK(max_abs_diff(model.weight().data(), true_w.data()) < 1e-3f);
  CHECK(model.bias().item() == doctest::Approx(0.3f).epsilon(1e-3));
  CHECK(model.weight().shape() == Shape{1, 3});
  const auto names = model.named_parameters();
  REQUIRE(names.size() == 2);
  CHECK(names[0].first == "weight");
  CHECK(names[1].first == "bias");
}

// Exercise solution. Two classes of points in the plane: class 1 around (2, 2), class 0 around
// (-2, -2), both N(0, 1) per coordinate. A Linear(2, 2) gives the two logits.
struct Blobs {
  Tensor x;           // (N, 2)
  IndexArray labels;  // (N)
};

Blobs make_blobs(int64_t n, uint64_t seed) {
  core::Generator gen(seed);
  Blobs d{Tensor(gen.normal({n, 2})), {}};
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    labels.push_back(gen.randint(2));
    d.x.data().select(0, i).add_(NDArray::full({2}, labels.back() == 1 ? 2.0f : -2.0f));
  }
  d.labels = IndexArray(labels);
  return d;
}

std::shared_ptr<nn::Linear> train_classifier(const Blobs& data, int steps) {
  auto model = std::make_shared<nn::Linear>(2, 2);
  optim::Adam opt(model->parameters(), {.lr = 0.05f});
  for (int step = 0; step < steps; ++step) {
    opt.zero_grad();
    cross_entropy(model->forward(data.x), data.labels).backward();
    opt.step();
  }
  return model;
}

double accuracy(const nn::Linear& model, const Blobs& data) {
  NoGradGuard no_grad;
  const IndexArray predicted = argmax(model.forward(data.x), 1);
  int64_t right = 0;
  for (int64_t i = 0; i < predicted.numel(); ++i) right += predicted[i] == data.labels[i];
  return static_cast<double>(right) / static_cast<double>(predicted.numel());
}

TEST_CASE("03-training-loop exercise: a linear classifier trained with cross-entropy") {
  core::manual_seed(3);
  const Blobs train = make_blobs(200, 1), test = make_blobs(500, 2);
  const auto untrained = std::make_shared<nn::Linear>(2, 2);
  const float loss_before = cross_entropy(untrained->forward(train.x), train.labels).item();
  const auto model = train_classifier(train, 100);
  const float loss_after = cross_entropy(model->forward(train.x), train.labels).item();
  CHECK(loss_after < loss_before / 4.0f);
  CHECK(accuracy(*model, test) >= 0.97);  // the classes overlap very little (2 sqrt 2 sigma)
}

// ---- 04 RNN and LSTM ---------------------------------------------------------------------------

TEST_CASE("04-rnn: the chapter's code") {
  core::manual_seed(4);
  nn::LSTM lstm({.input_size = 16, .hidden_size = 64});
  Tensor x = Tensor::randn({32, 100, 16});  // (B, T, I)
  nn::RecurrentOutput out = lstm.forward(x);
  // out.output (32, 100, 64): h_t at every step;  out.h_n, out.c_n (1, 32, 64): the last states
  CHECK(out.output.shape() == Shape{32, 100, 64});
  CHECK(out.h_n.shape() == Shape{1, 32, 64});
  CHECK(out.c_n.shape() == Shape{1, 32, 64});
  CHECK(max_abs_diff(out.h_n.select(0, 0).data(), out.output.select(1, 99).data()) == 0.0f);
}

// The figure's measurement (examples/guide_figures.cpp), at a test's size: the mean norm of
// dL/dx_t, L = sum(h_T * u), at each distance k = T-1-t.
std::vector<double> gradient_at_distance(const std::function<Tensor(const Tensor&)>& last_state,
                                         const Tensor& x, const Tensor& u) {
  Tensor input = x.detach().set_requires_grad(true);
  sum(last_state(input) * u).backward();
  const NDArray norms = core::sqrt(core::sum(core::mul(input.grad(), input.grad()), {2}));
  const std::vector<float> n = core::mean(norms, {0}).to_vector();  // (T)
  return std::vector<double>(n.rbegin(), n.rend());
}

TEST_CASE("04-rnn: gradients reach far back through an LSTM's cell, not through a tanh RNN") {
  core::manual_seed(5);
  const nn::RecurrentOptions options{.input_size = 4, .hidden_size = 16};
  nn::RNN rnn(options);
  nn::LSTM lstm(options);
  {
    NoGradGuard no_grad;  // forget-gate bias b_ih + b_hh = 3: f starts near sigmoid(3) = 0.95
    for (const auto& [name, p] : lstm.named_parameters())
      if (name.rfind("bias_", 0) == 0) p.data().narrow(0, 16, 16).fill_(1.5f);
  }
  const Tensor x = Tensor::randn({8, 40, 4}), u = Tensor::randn({1, 8, 16});
  const auto g_rnn =
      gradient_at_distance([&](const Tensor& in) { return rnn.forward(in).h_n; }, x, u);
  const auto g_lstm =
      gradient_at_distance([&](const Tensor& in) { return lstm.forward(in).h_n; }, x, u);
  // 30 steps back, the RNN's gradient has shrunk by more than 10^6, the LSTM's by less than 10.
  CHECK(g_rnn[30] / g_rnn[0] < 1e-6);
  CHECK(g_lstm[30] / g_lstm[0] > 0.1);
}

// Exercise solution. One LSTM step written with ember's ops (gates i, f, g, o in torch's order):
//   a = x W_ih^T + b_ih + h W_hh^T + b_hh;  i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g)
//   c' = f * c + i * g;  h' = o * tanh(c')
LstmState my_lstm_cell(const nn::LSTMCell& cell, const Tensor& x, const LstmState& s) {
  const Tensor a = linear(x, cell.weight_ih(), cell.bias_ih()) +
                   linear(s.h, cell.weight_hh(), cell.bias_hh());  // (B, 4H)
  const std::vector<Tensor> gates = chunk(a, 4, 1);                // four (B, H) blocks
  const Tensor i = sigmoid(gates[0]), f = sigmoid(gates[1]);
  const Tensor g = tanh(gates[2]), o = sigmoid(gates[3]);
  const Tensor c = f * s.c + i * g;
  return {o * tanh(c), c};
}

TEST_CASE("04-rnn exercise: an LSTM cell from ember's ops, and dc'/dc = f") {
  core::manual_seed(6);
  const nn::LSTMCell cell(5, 4);
  const Tensor x = Tensor::randn({3, 5});
  const Tensor h = Tensor::randn({3, 4}), c = Tensor::randn({3, 4}, true);
  const LstmState mine = my_lstm_cell(cell, x, {h, c});
  const nn::RecurrentState theirs = cell.forward(x, {h, c.detach()});
  CHECK(max_abs_diff(mine.h.data(), theirs.h.data()) < 1e-5f);
  CHECK(max_abs_diff(mine.c.data(), theirs.c.data()) < 1e-5f);
  // The cell path: c' = f * c + i * g, so dc'/dc is the forget gate itself, elementwise — no
  // matrix product, which is why the LSTM's gradient does not have to vanish.
  sum(mine.c).backward();
  const Tensor a =
      linear(x, cell.weight_ih(), cell.bias_ih()) + linear(h, cell.weight_hh(), cell.bias_hh());
  const Tensor f = sigmoid(chunk(a, 4, 1)[1]);
  CHECK(max_abs_diff(c.grad(), f.data()) < 1e-6f);
}

// ---- 05 Conv1D and receptive fields ------------------------------------------------------------

// [inputs_seen]
// The input positions that output position p depends on: where d y[0, :, p] / d x is not 0.
std::vector<int64_t> inputs_seen(const std::function<Tensor(const Tensor&)>& net, int64_t channels,
                                 int64_t length, int64_t p) {
  Tensor x = Tensor::randn({1, channels, length}, /*requires_grad=*/true);  // (B, C, L)
  sum(net(x).select(2, p)).backward();
  const NDArray reach = core::sum(core::mul(x.grad(), x.grad()), {0, 1});  // (L)
  std::vector<int64_t> seen;
  for (int64_t l = 0; l < length; ++l)
    if (reach.at({l}) > 0.0f) seen.push_back(l);
  return seen;
}
// [inputs_seen]

TEST_CASE("05-conv1d: the chapter's code") {
  core::manual_seed(7);
  nn::Conv1D conv(/*in_channels=*/8, /*out_channels=*/16, /*kernel_size=*/3, {.padding = 1});
  Tensor x = Tensor::randn({4, 8, 20});  // (B, C_in, L): channels first
  Tensor y = conv.forward(x);            // (4, 16, 20): padding 1 keeps the length
  // conv.weight() (16, 8, 3): the same 3-wide filter at every position
  CHECK(y.shape() == Shape{4, 16, 20});
  CHECK(conv.weight().shape() == Shape{16, 8, 3});
  CHECK(conv.output_length(20) == 20);

  const std::vector<int64_t> seen =
      inputs_seen([&](const Tensor& in) { return conv.forward(in); }, 8, 20, 10);
  CHECK(seen == std::vector<int64_t>{9, 10, 11});  // one layer of kernel 3 sees 3 positions
}

// Exercise solution. The receptive field of a stack of stride-1 convolutions: each layer of
// kernel K and dilation d widens what one output sees by (K - 1) d positions.
int64_t receptive_field(const std::vector<int64_t>& kernel_sizes,
                        const std::vector<int64_t>& dilations) {
  int64_t r = 1;
  for (size_t l = 0; l < kernel_sizes.size(); ++l) r += (kernel_sizes[l] - 1) * dilations[l];
  return r;
}

TEST_CASE("05-conv1d exercise: the receptive field formula against autograd") {
  core::manual_seed(8);
  struct Stack {
    std::vector<int64_t> kernels, dilations;
  };
  const std::vector<Stack> stacks = {{{3}, {1}},
                                     {{3, 3, 3}, {1, 1, 1}},
                                     {{3, 3, 3}, {1, 2, 4}},
                                     {{2, 2, 2, 2}, {1, 2, 4, 8}},
                                     {{5, 3}, {1, 3}}};
  const int64_t channels = 2, length = 40, p = 30;
  for (const Stack& s : stacks) {
    CAPTURE(s.kernels);
    CAPTURE(s.dilations);
    std::vector<std::shared_ptr<nn::Conv1D>> layers;
    for (size_t l = 0; l < s.kernels.size(); ++l)
      layers.push_back(std::make_shared<nn::Conv1D>(
          channels, channels, s.kernels[l],
          nn::Conv1DOptions{.dilation = s.dilations[l], .causal = true}));
    const auto net = [&](const Tensor& x) {
      Tensor h = x;
      for (const auto& layer : layers) h = tanh(layer->forward(h));
      return h;
    };
    const std::vector<int64_t> seen = inputs_seen(net, channels, length, p);
    // Causal: output p sees exactly the r positions p - r + 1 .. p, nothing after p.
    const int64_t r = receptive_field(s.kernels, s.dilations);
    REQUIRE(static_cast<int64_t>(seen.size()) == r);
    CHECK(seen.front() == p - r + 1);
    CHECK(seen.back() == p);
  }
}

// ---- 06 attention ------------------------------------------------------------------------------

TEST_CASE("06-attention: the chapter's code") {
  core::manual_seed(9);
  nn::ScaledDotAttention attention;
  Tensor q = Tensor::randn({2, 8});     // (B, d): one query per batch row
  Tensor x = Tensor::randn({2, 5, 8});  // (B, n, d): the keys, which are also the values
  nn::AttentionOutput out = attention.forward(q, x);
  // out.weights (2, 5): alpha, each row sums to 1;  out.context (2, 8): o = sum_i alpha_i x_i

  Tensor e = squeeze(matmul(x, unsqueeze(q, 2)), 2) / std::sqrt(8.0f);  // (B, n): q.x_i / sqrt(d)
  Tensor alpha = softmax(e, 1);                                         // (B, n)
  Tensor o = squeeze(matmul(unsqueeze(alpha, 1), x), 1);                // (B, d)

  CHECK(max_abs_diff(alpha.data(), out.weights.data()) < 1e-6f);
  CHECK(max_abs_diff(o.data(), out.context.data()) < 1e-5f);
  const std::vector<float> row_sums = sum(out.weights, {1}).to_vector();
  for (float s : row_sums) CHECK(s == doctest::Approx(1.0f));

  // A mask (1 = excluded) gives the excluded keys weight exactly 0.
  Tensor mask = Tensor::from_vector({0, 0, 0, 1, 1, 0, 0, 0, 0, 0}, {2, 5});
  nn::AttentionOutput masked = attention.forward(q, x, x, mask);
  CHECK(masked.weights.data().at({0, 3}) == 0.0f);
  CHECK(masked.weights.data().at({0, 4}) == 0.0f);
  CHECK(sum(masked.weights, {1}).data().at({0}) == doctest::Approx(1.0f));
}

// Exercise solution. Dot-product attention with keys = values = x, as ONE op whose backward is
// the derivation of the chapter:
//   e_i = q . x_i,  alpha = softmax(e),  o = sum_i alpha_i x_i        q: (B, d)  x: (B, n, d)
//   with g = dL/do:  dL/de_i = alpha_i (g . x_i - g . o)
//                    dq = sum_i dL/de_i x_i;   dx_i = alpha_i g + dL/de_i q
Tensor my_dot_attention(const Tensor& q, const Tensor& x) {
  const int64_t batch = x.size(0), n = x.size(1), d = x.size(2);
  const std::vector<float> qv = q.to_vector(), xv = x.to_vector();
  std::vector<float> alpha(batch * n), o(batch * d, 0.0f);
  for (int64_t b = 0; b < batch; ++b) {
    float top = -kInf;
    for (int64_t i = 0; i < n; ++i) {
      float e = 0.0f;
      for (int64_t j = 0; j < d; ++j) e += qv[b * d + j] * xv[(b * n + i) * d + j];
      alpha[b * n + i] = e;
      top = std::max(top, e);
    }
    float total = 0.0f;
    for (int64_t i = 0; i < n; ++i) total += alpha[b * n + i] = std::exp(alpha[b * n + i] - top);
    for (int64_t i = 0; i < n; ++i) {
      alpha[b * n + i] /= total;
      for (int64_t j = 0; j < d; ++j) o[b * d + j] += alpha[b * n + i] * xv[(b * n + i) * d + j];
    }
  }
  auto backward = [=](const NDArray& dy, Gradients& grads) {
    const std::vector<float> g = dy.to_vector();
    std::vector<float> dq(batch * d, 0.0f), dx(batch * n * d, 0.0f);
    for (int64_t b = 0; b < batch; ++b) {
      float g_o = 0.0f;
      for (int64_t j = 0; j < d; ++j) g_o += g[b * d + j] * o[b * d + j];
      for (int64_t i = 0; i < n; ++i) {
        const float* xi = &xv[(b * n + i) * d];
        float g_x = 0.0f;
        for (int64_t j = 0; j < d; ++j) g_x += g[b * d + j] * xi[j];
        const float a = alpha[b * n + i], de = a * (g_x - g_o);
        for (int64_t j = 0; j < d; ++j) {
          dq[b * d + j] += de * xi[j];
          dx[(b * n + i) * d + j] = a * g[b * d + j] + de * qv[b * d + j];
        }
      }
    }
    grads.set(0, NDArray::from_vector(dq, {batch, d}));
    grads.set(1, NDArray::from_vector(dx, {batch, n, d}));
  };
  return make_result(NDArray::from_vector(o, {batch, d}), "my_dot_attention", {q, x}, backward);
}

TEST_CASE("06-attention exercise: the derived gradients of attention equal autograd's") {
  core::manual_seed(10);
  const Tensor q = Tensor::randn({3, 4}, true), x = Tensor::randn({3, 6, 4}, true);
  // Against central differences:
  check_gradients([](const auto& in) { return my_dot_attention(in[0], in[1]); }, {q, x});
  // Against ember's DotAttention, differentiated by autograd through its own ops:
  Tensor q1 = q.detach().set_requires_grad(true), x1 = x.detach().set_requires_grad(true);
  Tensor q2 = q.detach().set_requires_grad(true), x2 = x.detach().set_requires_grad(true);
  const Tensor upstream = Tensor::randn({3, 4});
  sum(my_dot_attention(q1, x1) * upstream).backward();
  const nn::AttentionOutput theirs = nn::DotAttention().forward(q2, x2);
  sum(theirs.context * upstream).backward();
  CHECK(max_abs_diff(my_dot_attention(q, x).data(), theirs.context.data()) < 1e-5f);
  CHECK(max_abs_diff(q1.grad(), q2.grad()) < 1e-5f);
  CHECK(max_abs_diff(x1.grad(), x2.grad()) < 1e-5f);
}

// ---- 07 multi-head attention and the Transformer -----------------------------------------------

TEST_CASE("07-transformer: the chapter's code") {
  core::manual_seed(11);
  nn::MultiheadAttention mha(/*embed_dim=*/16, /*num_heads=*/4);
  Tensor x = Tensor::randn({2, 6, 16});  // (B, T, E)
  auto [y, weights] = mha.forward(x, x, x, {.attn_mask = nn::causal_mask(6)});
  // y (2, 6, 16); weights (2, 6, 6), the mean of the 4 heads' weights, 0 above the diagonal
  CHECK(y.shape() == Shape{2, 6, 16});
  CHECK(weights.shape() == Shape{2, 6, 6});
  CHECK(weights.data().at({0, 1, 2}) == 0.0f);

  nn::TransformerLayerOptions layer{
      .d_model = 16, .nhead = 4, .dim_feedforward = 32, .dropout = 0.0f, .norm_first = true};
  nn::TransformerEncoder encoder(layer, /*num_layers=*/2, /*final_norm=*/true);
  Tensor memory = encoder.forward(x);  // (2, 6, 16): every position has seen every other
  CHECK(memory.shape() == Shape{2, 6, 16});

  // Without positions, self-attention cannot tell the order: permuting the inputs permutes the
  // outputs the same way.
  const IndexArray reversed({5, 4, 3, 2, 1, 0});
  const Tensor x_rev = index_select(x, 1, reversed);
  const Tensor y_rev = mha.forward(x_rev, x_rev, x_rev).output;
  CHECK(max_abs_diff(index_select(mha.forward(x, x, x).output, 1, reversed).data(), y_rev.data()) <
        1e-5f);
  nn::SinusoidalPositionalEncoding positions(/*d_model=*/16, /*max_len=*/64);
  Tensor with_positions = positions.forward(x);  // x[b, t] + PE[t]
  CHECK(with_positions.shape() == Shape{2, 6, 16});
}

// Exercise solution. Multi-head self-attention from mha's own weights with ember's ops
// (Vaswani et al., 2017, 3.2.2): project to Q, K, V, split E into H heads of D = E / H, scaled
// dot-product attention per head, heads side by side again, output projection.
Tensor my_self_attention(const nn::MultiheadAttention& mha, const Tensor& x, const Tensor& mask) {
  const int64_t B = x.size(0), T = x.size(1), E = x.size(2), H = mha.num_heads(), D = E / H;
  const std::vector<Tensor> qkv =
      chunk(linear(x, mha.in_proj_weight(), mha.in_proj_bias()), 3, 2);  // 3 x (B, T, E)
  const auto heads = [&](const Tensor& t) {                              // (B, H, T, D)
    return t.reshape({B, T, H, D}).transpose(1, 2);
  };
  const Tensor scores = matmul(heads(qkv[0]), heads(qkv[1]).transpose(2, 3)) /
                        std::sqrt(static_cast<float>(D));               // (B, H, T, T)
  const Tensor weights = softmax(masked_fill(scores, mask, -kInf), 3);  // mask (T, T)
  const Tensor out = matmul(weights, heads(qkv[2])).transpose(1, 2).reshape({B, T, E});
  return mha.out_proj().forward(out);
}

TEST_CASE("07-transformer exercise: multi-head attention by hand equals MultiheadAttention") {
  core::manual_seed(12);
  const nn::MultiheadAttention mha(12, 3);
  const Tensor x = Tensor::randn({2, 5, 12});
  for (const Tensor& mask : {Tensor::zeros({5, 5}), nn::causal_mask(5)}) {
    const Tensor theirs = mha.forward(x, x, x, {.attn_mask = mask}).output;
    CHECK(max_abs_diff(my_self_attention(mha, x, mask).data(), theirs.data()) < 1e-5f);
  }
  // With the causal mask, position t's output does not depend on any later input.
  const Tensor xg = x.detach().set_requires_grad(true);
  sum(my_self_attention(mha, xg, nn::causal_mask(5)).select(1, 2)).backward();
  CHECK(core::sum(core::mul(xg.grad(), xg.grad()), {}).item() > 0.0f);
  CHECK(core::sum(core::mul(xg.grad().narrow(1, 3, 2), xg.grad().narrow(1, 3, 2)), {}).item() ==
        0.0f);
}

// ---- 08 seq2seq: training, decoding, BLEU ------------------------------------------------------

TEST_CASE("08-seq2seq: the chapter's code") {
  core::manual_seed(13);
  DatesCorpus corpus = make_dates_corpus({.train_size = 2000, .valid_size = 50, .test_size = 50});
  CharTokenizer src_tok = CharTokenizer::train(corpus.train.source);
  CharTokenizer tgt_tok = CharTokenizer::train(corpus.train.target);
  std::vector<Example> train = encode_parallel(corpus.train, src_tok, tgt_tok, {}, nullptr);

  ModelConfig config = preset(Architecture::kRnnAttention, "tiny");
  config.src_vocab_size = src_tok.vocab_size();
  config.tgt_vocab_size = tgt_tok.vocab_size();
  std::shared_ptr<Seq2SeqModel> model = make_model(config);
  optim::Adam opt(model->parameters(), {.lr = 3e-3f});

  core::Generator order(1);
  std::vector<float> losses;
  for (const std::vector<int64_t>& rows : plan_batches(train, {.max_tokens = 1024}, &order)) {
    Batch batch = make_batch(train, rows);  // source ... </s>;  <s> target;  target </s>
    Tensor logits = model->forward(batch);
    Tensor loss = cross_entropy(logits, batch.target_output, {.ignore_index = kPadId});
    opt.zero_grad();
    loss.backward();
    optim::clip_grad_norm(model->parameters(), /*max_norm=*/1.0f);
    opt.step();
    losses.push_back(loss.item());
  }
  REQUIRE(losses.size() > 10);
  CHECK(losses.back() < losses.front() / 2.0f);  // one epoch: the loss falls

  model->eval();  // no dropout while decoding
  const std::vector<Example> test = encode_parallel(corpus.test, src_tok, tgt_tok, {}, nullptr);
  Batch batch = make_batch(test, {0, 1, 2, 3});
  std::vector<Hypothesis> greedy = greedy_search(*model, batch.source, batch.source_lengths);
  std::vector<Hypothesis> beam =
      beam_search(*model, batch.source, batch.source_lengths, {.beam_size = 4});
  std::string first = tgt_tok.decode(beam[0].tokens);  // text of the best hypothesis
  REQUIRE(greedy.size() == 4);
  REQUIRE(beam.size() == 4);
  for (const Hypothesis& h : greedy)
    for (int64_t t : h.tokens) CHECK((t != kPadId && t != kBosId && t < tgt_tok.vocab_size()));

  BleuScore bleu = corpus_bleu({"the cat sat on the mat"}, {{"the cat sat on a mat"}});
  // matches: 1-grams 5/6, 2-grams 3/5, 3-grams 2/4, 4-grams 1/3; equal lengths, so BP = 1
  // bleu.score = 100 * (5/6 * 3/5 * 2/4 * 1/3)^(1/4) = 53.73
  CHECK(bleu.score ==
        doctest::Approx(100.0 * std::pow(5.0 / 6 * 3.0 / 5 * 2.0 / 4 * 1.0 / 3, 0.25)));
  CHECK(bleu.bp == doctest::Approx(1.0));
  CHECK(bleu.stats.correct == std::vector<int64_t>{5, 3, 2, 1});
  CHECK(bleu.stats.total == std::vector<int64_t>{6, 5, 4, 3});
}

// Exercise solution. Greedy decoding of one sentence through the incremental interface: start()
// encodes once, then each step() feeds the previous token and returns log-probabilities (1, V);
// the most probable token is kept, never <pad> or <s>; stop at </s> or after max_len tokens.
std::vector<int64_t> my_greedy(Seq2SeqModel& model, const std::vector<int64_t>& source,
                               int64_t max_len) {
  NoGradGuard no_grad;
  const int64_t length = static_cast<int64_t>(source.size());
  std::unique_ptr<DecoderState> state = model.start(IndexArray(source, {1, length}), {length});
  std::vector<int64_t> out;
  int64_t previous = kBosId;
  while (static_cast<int64_t>(out.size()) < max_len) {
    std::vector<float> logp = model.step(IndexArray({previous}), *state).to_vector();  // (V)
    logp[kPadId] = logp[kBosId] = -kInf;
    previous = std::max_element(logp.begin(), logp.end()) - logp.begin();
    if (previous == kEosId) break;
    out.push_back(previous);
  }
  return out;
}

TEST_CASE("08-seq2seq exercise: greedy decoding by hand equals greedy_search") {
  core::manual_seed(14);
  for (Architecture arch : {Architecture::kRnn, Architecture::kRnnAttention,
                            Architecture::kTransformer, Architecture::kConvS2S}) {
    CAPTURE(to_string(arch));
    ModelConfig config = preset(arch, "tiny");
    config.src_vocab_size = config.tgt_vocab_size = 12;
    std::shared_ptr<Seq2SeqModel> model = make_model(config);
    model->eval();
    for (const std::vector<int64_t>& source : {std::vector<int64_t>{5, 6, 7, kEosId},
                                               std::vector<int64_t>{9, 4, 11, 8, 10, 6, kEosId}}) {
      const int64_t length = static_cast<int64_t>(source.size());
      const GreedyOptions options;
      const std::vector<Hypothesis> reference =
          greedy_search(*model, IndexArray(source, {1, length}), {length}, options);
      CHECK(my_greedy(*model, source, options.max_len(length)) == reference[0].tokens);
    }
  }
}

// Exercise solution. The LSTM encoder-decoder without attention, one layer a side, counted by
// hand: two embedding tables, two LSTMs of 4 gates (weights on the input and on the state, and
// torch's two bias vectors b_ih and b_hh), the output layer with its bias.
int64_t my_lstm_parameters(int64_t E, int64_t H, int64_t src_vocab, int64_t tgt_vocab) {
  const int64_t embeddings = (src_vocab + tgt_vocab) * E;
  const int64_t lstm = 4 * H * (E + H) + 2 * 4 * H;
  const int64_t out = H * tgt_vocab + tgt_vocab;
  return embeddings + 2 * lstm + out;
}

TEST_CASE("09-lab-results exercise: the lab's LSTM counted by hand") {
  for (const char* size : {"tiny", "small"})
    for (const auto& [src, tgt] : {std::pair<int64_t, int64_t>{7859, 5921}, {40, 17}}) {
      CAPTURE(size);
      CAPTURE(src);
      ModelConfig lstm = preset(Architecture::kRnn, size);  // the lab's reference model
      lstm.cell = CellType::kLstm;
      lstm.src_vocab_size = src;
      lstm.tgt_vocab_size = tgt;
      CHECK(my_lstm_parameters(lstm.embedding_dim, lstm.hidden_size, src, tgt) ==
            lab::count_parameters(lstm));
    }
}

// ---- the guide itself --------------------------------------------------------------------------

namespace {

const std::filesystem::path kRoot = std::filesystem::path(__FILE__).parent_path().parent_path();
const std::filesystem::path kGuide = kRoot / "docs" / "guide";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of a text with their indentation removed, joined by newlines.
std::string unindented(const std::string& text) {
  std::stringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    const size_t start = line.find_first_not_of(' ');
    out += (start == std::string::npos ? "" : line.substr(start)) + "\n";
  }
  return out;
}

// The contents of every ```cpp ... ``` block of a markdown text.
std::vector<std::string> cpp_blocks(const std::string& text) {
  const std::string open = "```cpp\n", close = "```";
  std::vector<std::string> blocks;
  for (size_t at = text.find(open); at != std::string::npos; at = text.find(open, at)) {
    const size_t start = at + open.size(), end = text.find(close, start);
    REQUIRE(end != std::string::npos);
    blocks.push_back(text.substr(start, end - start));
    at = end + close.size();
  }
  return blocks;
}

// A markdown text without its code: fenced blocks and `inline` spans are dropped.
std::string prose(const std::string& text) {
  std::string out;
  bool fenced = false, inline_code = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "```") == 0) {
      fenced = !fenced;
      i += 2;
    } else if (!fenced && text[i] == '`') {
      inline_code = !inline_code;
    } else if (!fenced && !inline_code) {
      out += text[i];
    }
  }
  return out;
}

// The targets of the relative links [text](target) of a markdown text's prose, without any
// #anchor.
std::vector<std::string> relative_links(const std::string& text) {
  const std::string body = prose(text);
  std::vector<std::string> links;
  for (size_t at = body.find("]("); at != std::string::npos; at = body.find("](", at + 2)) {
    const size_t end = body.find(')', at + 2);
    if (end == std::string::npos) break;
    const std::string target = body.substr(at + 2, end - at - 2);
    if (target.find("://") != std::string::npos || target.empty() || target[0] == '#') continue;
    links.push_back(target.substr(0, target.find('#')));
  }
  return links;
}

std::vector<std::filesystem::path> guide_chapters() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kGuide))
    if (entry.path().extension() == ".md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("guide: every C++ block in docs/guide is compiled in this file or an example") {
  std::string compiled = unindented(read_text(kRoot / "tests" / "test_guide_exercises.cpp"));
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "examples"))
    if (entry.path().filename().string().rfind("guide_", 0) == 0)
      compiled += unindented(read_text(entry.path()));
  int64_t blocks = 0;
  for (const auto& chapter : guide_chapters())
    for (const std::string& block : cpp_blocks(read_text(chapter))) {
      const std::string code = unindented(block);
      INFO(chapter.filename().string() << ":\n" << code);
      CHECK(compiled.find(code) != std::string::npos);
      ++blocks;
    }
  CHECK(blocks >= 8);
}

TEST_CASE("guide: every relative link in docs/guide leads to a file") {
  int64_t links = 0;
  for (const auto& chapter : guide_chapters())
    for (const std::string& target : relative_links(read_text(chapter))) {
      ++links;
      INFO(chapter.filename().string() << " links to " << target);
      CHECK(std::filesystem::exists(kGuide / target));
    }
  CHECK(links >= 40);
}
