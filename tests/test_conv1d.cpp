#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "ember/autograd/ops/conv.h"
#include "ember/ember.h"
#include "ember/layers/conv1d.h"

using namespace ember;

namespace {

void check_close(const NDArray& a, const NDArray& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  for (size_t i = 0; i < x.size(); ++i) CHECK(x[i] == doctest::Approx(y[i]).epsilon(1e-4));
}

struct Combo {
  const char* name;
  nn::Conv1DOptions options;
  int64_t kernel;
};

const Combo kCombos[] = {
    {"plain", {}, 3},
    {"padding 1", {.padding = 1}, 3},
    {"stride 2 padding 2", {.stride = 2, .padding = 2}, 5},
    {"dilation 2", {.dilation = 2}, 3},
    {"stride 2 padding 1 dilation 2 no bias",
     {.stride = 2, .padding = 1, .dilation = 2, .bias = false},
     3},
    {"causal", {.causal = true}, 3},
    {"causal dilation 2", {.dilation = 2, .causal = true}, 2},
    {"causal stride 2", {.stride = 2, .causal = true}, 4},
};

}  // namespace

TEST_CASE("conv1d is cross-correlation over zero-padded input (hand example)") {
  const Tensor x = Tensor::from_vector({1, 2, 3, 4}, {1, 1, 4});
  const Tensor w = Tensor::from_vector({1, 0, -1}, {1, 1, 3});
  const Tensor y = conv1d(x, w, Tensor::from_vector({0.5f}, {1}), {.pad_left = 1, .pad_right = 1});
  CHECK(y.to_vector() == std::vector<float>{-1.5f, -1.5f, -1.5f, 3.5f});
}

TEST_CASE("conv1d (im2col + GEMM) agrees with the direct sum for every geometry") {
  for (const Combo& c : kCombos) {
    CAPTURE(c.name);
    nn::Conv1D conv(3, 4, c.kernel, c.options);
    const Tensor x = Tensor::randn({2, 3, 11});
    const NDArray bias = conv.bias().defined() ? conv.bias().data() : NDArray();
    const Conv1dGeometry g{
        c.options.stride, c.options.dilation,
        c.options.causal ? c.options.dilation * (c.kernel - 1) : c.options.padding,
        c.options.causal ? 0 : c.options.padding};
    check_close(conv.forward(x).data(), conv1d_naive(x.data(), conv.weight().data(), bias, g));
  }
}

TEST_CASE("Conv1D handles batch 1 and length 1 (output length 1)") {
  nn::Conv1D conv(3, 2, 3, {.padding = 1});
  const Tensor x = Tensor::randn({1, 3, 1}, true);
  check_close(conv.forward(x).data(),
              conv1d_naive(x.data(), conv.weight().data(), conv.bias().data(),
                           {.pad_left = 1, .pad_right = 1}));
  const auto f = [&](const std::vector<Tensor>& in) { return conv.forward(in[0]); };
  const GradcheckResult r = gradcheck(f, {x, conv.weight(), conv.bias()});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("Conv1D output length is floor((L + 2p - d(K-1) - 1)/s) + 1; causal keeps L") {
  const Tensor x = Tensor::randn({2, 3, 11});
  for (const Combo& c : kCombos) {
    CAPTURE(c.name);
    nn::Conv1D conv(3, 4, c.kernel, c.options);
    const auto& o = c.options;
    const int64_t expected =
        o.causal ? (11 - 1) / o.stride + 1
                 : (11 + 2 * o.padding - o.dilation * (c.kernel - 1) - 1) / o.stride + 1;
    CHECK(conv.output_length(11) == expected);
    CHECK(conv.forward(x).shape() == Shape{2, 4, expected});
  }
  CHECK(nn::Conv1D(3, 4, 3, {.causal = true}).forward(x).shape() == Shape{2, 4, 11});
}

TEST_CASE("causal Conv1D output at l depends on input positions <= l only") {
  nn::Conv1D conv(2, 3, 3, {.dilation = 2, .causal = true});
  const Tensor x = Tensor::randn({1, 2, 8});
  const NDArray y = conv.forward(x).data();
  const Tensor changed(x.data().clone());
  changed.data().narrow(2, 5, 3).fill_(100.0f);  // the future from position 5 on
  const NDArray y2 = conv.forward(changed).data();
  check_close(y.narrow(2, 0, 5).contiguous(), y2.narrow(2, 0, 5).contiguous());
  CHECK(y.at({0, 0, 5}) != y2.at({0, 0, 5}));
}

TEST_CASE("Conv1D gradients match finite differences (input, weight, bias) for every geometry") {
  for (const Combo& c : kCombos) {
    CAPTURE(c.name);
    nn::Conv1D conv(2, 3, c.kernel, c.options);
    const Tensor x = Tensor::randn({2, 2, 9}, true);
    std::vector<Tensor> inputs{x, conv.weight()};
    if (conv.bias().defined()) inputs.push_back(conv.bias());
    const auto f = [&](const std::vector<Tensor>& in) { return conv.forward(in[0]); };
    const GradcheckResult r = gradcheck(f, inputs);
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("Conv1D takes a non-contiguous input (a transposed (B, L, C) array)") {
  nn::Conv1D conv(3, 2, 3, {.padding = 1});
  const Tensor blc = Tensor::randn({2, 7, 3}, true);
  const Tensor y = conv.forward(blc.transpose(1, 2));
  check_close(y.data(), conv.forward(Tensor(blc.data().transpose(1, 2).contiguous())).data());
  const auto f = [&](const std::vector<Tensor>& in) { return conv.forward(in[0].transpose(1, 2)); };
  const GradcheckResult r = gradcheck(f, {blc});
  CHECK_MESSAGE(r.ok, r.message);
}

TEST_CASE("Conv1D registers weight (C_out, C_in, K) and bias (C_out) with torch's init") {
  nn::Conv1D conv(16, 200, 4);
  const auto params = conv.named_parameters();
  REQUIRE(params.size() == 2);
  CHECK(params[0].first == "weight");
  CHECK(params[0].second.shape() == Shape{200, 16, 4});
  CHECK(params[1].first == "bias");
  CHECK(params[1].second.shape() == Shape{200});
  const float bound = 1.0f / 8.0f;  // 1 / sqrt(C_in K)
  for (const Tensor& p : {conv.weight(), conv.bias()}) {
    const std::vector<float> v = p.to_vector();
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    CHECK(*lo >= -bound);
    CHECK(*hi < bound);
    CHECK(*hi > 0.9f * bound);
  }
  CHECK(nn::Conv1D(2, 3, 3, {.bias = false}).named_parameters().size() == 1);
}

TEST_CASE("Conv1D errors name [conv1d] and the shapes") {
  nn::Conv1D conv(3, 4, 3);
  CHECK_THROWS_WITH_AS(
      conv.forward(Tensor::zeros({2, 5, 10})),
      doctest::Contains("[conv1d] input (2, 5, 10) does not match weight (4, 3, 3)"), ember::Error);
  CHECK_THROWS_WITH_AS(conv.forward(Tensor::zeros({3, 10})),
                       doctest::Contains("[conv1d] input (3, 10)"), ember::Error);
  CHECK_THROWS_WITH_AS(
      conv.forward(Tensor::zeros({1, 3, 2})),
      doctest::Contains("[conv1d] input (1, 3, 2) (padded to length 2) is shorter"), ember::Error);
  CHECK_THROWS_WITH_AS(conv.output_length(2), doctest::Contains("[conv1d] length 2"), ember::Error);
  CHECK_THROWS_WITH_AS(nn::Conv1D(3, 4, 3, {.padding = 1, .causal = true}),
                       doctest::Contains("[conv1d] causal mode"), ember::Error);
  CHECK_THROWS_WITH_AS(nn::Conv1D(3, 4, 3, {.stride = 0}),
                       doctest::Contains("[conv1d] needs stride"), ember::Error);
  CHECK_THROWS_WITH_AS(nn::Conv1D(3, 4, 0), doctest::Contains("[conv1d] in_channels"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(conv1d(Tensor::zeros({1, 3, 5}), conv.weight(), Tensor::zeros({3})),
                       doctest::Contains("[conv1d] bias (3,) does not match weight (4, 3, 3)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(conv1d(Tensor::zeros({1, 3, 5}), conv.weight(), Tensor(), {.dilation = 0}),
                       doctest::Contains("[conv1d] needs stride >= 1, dilation >= 1"),
                       ember::Error);
}

TEST_CASE("Conv1D refuses dilation and padding whose arithmetic overflows 64 bits") {
  const int64_t huge = int64_t{1} << 62;
  // d (K - 1) = 2^63 wrapped to a negative left padding.
  CHECK_THROWS_WITH_AS(nn::Conv1D(3, 4, 3, {.dilation = huge, .causal = true}),
                       doctest::Contains("[conv1d] 4611686018427387904 * 2 does not fit"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::Conv1D(3, 4, 3, {.padding = INT64_MAX}), doctest::Contains("[conv1d]"),
                       ember::Error);
  nn::Conv1D conv(3, 4, 3);
  CHECK_THROWS_WITH_AS(conv1d(Tensor::zeros({1, 3, 5}), conv.weight(), Tensor(), {.dilation = huge}),
                       doctest::Contains("[conv1d] 4611686018427387904 * 2 does not fit"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(conv1d(Tensor::zeros({1, 3, 5}), conv.weight(), Tensor(),
                              {.pad_left = INT64_MAX, .pad_right = INT64_MAX}),
                       doctest::Contains("does not fit in 64 bits"), ember::Error);
  CHECK_THROWS_WITH_AS(nn::Conv1D(3, 4, 3, {.padding = 1}).output_length(INT64_MAX),
                       doctest::Contains("[conv1d] 9223372036854775807 + 1 does not fit"),
                       ember::Error);
}
