// Golden runners for every `functional.<name>` op (../shared/golden/README.md sections 6.10, 6.11):
// each reads its inputs by fixture name, calls ember's autograd op, and backpropagates the
// fixture's upstream gradients.
#include <string>
#include <utility>
#include <vector>

#include "ember/core/error.h"
#include "tools/golden/golden_case.h"

namespace ember::golden {
namespace {

using UnaryOp = Tensor (*)(const Tensor&);
using BinaryOp = Tensor (*)(const Tensor&, const Tensor&);

// output.y = op(input.x), for ops whose only tensor is x.
template <typename Op>
GoldenResults run_on_x(const GoldenCase& c, Op op) {
  const Tensor x = c.input("input.x");
  GoldenResults r;
  backward_with_upstreams(c, {{"y", op(x)}}, r);
  collect_grads("input", {{"x", x}}, r);
  return r;
}

GoldenResults run_binary(const GoldenCase& c, BinaryOp op) {
  const Tensor a = c.input("input.a");
  const Tensor b = c.input("input.b");
  GoldenResults r;
  backward_with_upstreams(c, {{"y", op(a, b)}}, r);
  collect_grads("input", {{"a", a}, {"b", b}}, r);
  return r;
}

// cat/stack: config {dim, inputs: ["a", "b", ...]}, joined in the listed order.
GoldenResults run_join(const GoldenCase& c, Tensor (*join)(const std::vector<Tensor>&, int64_t)) {
  std::vector<Tensor> xs;
  std::map<std::string, Tensor> leaves;
  for (const auto& name : c.config.at("inputs")) {
    xs.push_back(c.input("input." + name.get<std::string>()));
    leaves.emplace(name.get<std::string>(), xs.back());
  }
  GoldenResults r;
  backward_with_upstreams(c, {{"y", join(xs, c.config.at("dim").get<int64_t>())}}, r);
  collect_grads("input", leaves, r);
  return r;
}

// sum/mean: config {dim: [..] or null, keepdim}; null (or []) reduces every element to shape ().
GoldenResults run_reduce(const GoldenCase& c,
                         Tensor (*reduce)(const Tensor&, const std::vector<int64_t>&, bool)) {
  const auto& dim = c.config.at("dim");
  const std::vector<int64_t> dims = dim.is_null() ? std::vector<int64_t>{}
                                                  : dim.get<std::vector<int64_t>>();
  const bool keepdim = c.config.value("keepdim", false);
  return run_on_x(c, [&](const Tensor& x) { return reduce(x, dims, keepdim); });
}

int64_t config_dim(const GoldenCase& c) { return c.config.at("dim").get<int64_t>(); }

Reduction reduction_of(const GoldenCase& c) {
  const std::string name = c.config.value("reduction", "mean");
  if (name == "mean") return Reduction::kMean;
  if (name == "sum") return Reduction::kSum;
  EMBER_CHECK(name == "none", "[golden] {}: unknown reduction '{}'", c.name, name);
  return Reduction::kNone;
}

// The losses take logits (N, C) and I64 targets (N); only the logits get a gradient.
GoldenResults run_loss(const GoldenCase& c, Tensor (*loss)(const GoldenCase&, const Tensor&)) {
  EMBER_CHECK(!c.config.contains("weight") || c.config.at("weight").is_null(),
              "[golden] {}: class weights are not supported", c.name);
  const Tensor logits = c.input("input.logits");
  GoldenResults r;
  backward_with_upstreams(c, {{"loss", loss(c, logits)}}, r);
  collect_grads("input", {{"logits", logits}}, r);
  return r;
}

const bool kElementwiseRegistered = [] {
  const std::pair<const char*, UnaryOp> unary[] = {
      {"relu", &relu}, {"tanh", &tanh}, {"sigmoid", &sigmoid},
      {"exp", &exp},   {"log", &log},   {"sqrt", &sqrt}};
  for (const auto& [name, op] : unary) {
    register_runner(std::string("functional.") + name,
                    [op](const GoldenCase& c) { return run_on_x(c, op); });
  }
  const std::pair<const char*, BinaryOp> binary[] = {
      {"add", &add}, {"sub", &sub}, {"mul", &mul}, {"div", &div}, {"matmul", &matmul}};
  for (const auto& [name, op] : binary) {
    register_runner(std::string("functional.") + name,
                    [op](const GoldenCase& c) { return run_binary(c, op); });
  }
  return true;
}();

// gelu: only the exact erf form exists in ember (approximate "none").
EMBER_GOLDEN_RUNNER("functional.gelu", [](const GoldenCase& c) {
  const std::string approximate = c.config.value("approximate", "none");
  EMBER_CHECK(approximate == "none", "[golden] {}: gelu approximate '{}' is not implemented",
              c.name, approximate);
  return run_on_x(c, [](const Tensor& x) { return gelu(x); });
});

EMBER_GOLDEN_RUNNER("functional.softmax", [](const GoldenCase& c) {
  return run_on_x(c, [&](const Tensor& x) { return softmax(x, config_dim(c)); });
});

EMBER_GOLDEN_RUNNER("functional.log_softmax", [](const GoldenCase& c) {
  return run_on_x(c, [&](const Tensor& x) { return log_softmax(x, config_dim(c)); });
});

EMBER_GOLDEN_RUNNER("functional.glu", [](const GoldenCase& c) {
  return run_on_x(c, [&](const Tensor& x) { return glu(x, config_dim(c)); });
});

EMBER_GOLDEN_RUNNER("functional.sum", [](const GoldenCase& c) { return run_reduce(c, &sum); });

EMBER_GOLDEN_RUNNER("functional.mean", [](const GoldenCase& c) { return run_reduce(c, &mean); });

EMBER_GOLDEN_RUNNER("functional.max", [](const GoldenCase& c) {
  const bool keepdim = c.config.value("keepdim", false);
  return run_on_x(c, [&](const Tensor& x) { return max(x, config_dim(c), keepdim); });
});

EMBER_GOLDEN_RUNNER("functional.cat", [](const GoldenCase& c) { return run_join(c, &cat); });

EMBER_GOLDEN_RUNNER("functional.stack", [](const GoldenCase& c) { return run_join(c, &stack); });

// x (B, T, H*D) -> heads (B, H, T, D) -> flat (B*H, T, D); y = heads back to (B, T, H*D) (= x).
EMBER_GOLDEN_RUNNER("functional.transpose_reshape", [](const GoldenCase& c) {
  const int64_t h = c.config.at("num_heads").get<int64_t>();
  const int64_t d = c.config.at("head_dim").get<int64_t>();
  const Tensor x = c.input("input.x");
  EMBER_CHECK(x.dim() == 3 && x.size(2) == h * d,
              "[golden] {}: x of shape {} is not (B, T, {}*{})", c.name,
              core::shape_str(x.shape()), h, d);
  const int64_t b = x.size(0);
  const int64_t t = x.size(1);
  const Tensor heads = x.reshape({b, t, h, d}).transpose(1, 2);
  const Tensor flat = heads.reshape({b * h, t, d});
  const Tensor y = heads.transpose(1, 2).reshape({b, t, h * d});
  GoldenResults r;
  backward_with_upstreams(c, {{"heads", heads}, {"flat", flat}, {"y", y}}, r);
  collect_grads("input", {{"x", x}}, r);
  return r;
});

// y = where(mask, value, x); the U8 mask broadcasts against x.
EMBER_GOLDEN_RUNNER("functional.masked_fill", [](const GoldenCase& c) {
  const Tensor mask = c.mask("input.mask");
  const float value = c.config.at("value").get<float>();
  return run_on_x(c, [&](const Tensor& x) { return masked_fill(x, mask, value); });
});

EMBER_GOLDEN_RUNNER("functional.index_select", [](const GoldenCase& c) {
  const IndexArray& index = c.indices("input.index");
  return run_on_x(c, [&](const Tensor& x) { return index_select(x, config_dim(c), index); });
});

EMBER_GOLDEN_RUNNER("functional.gather", [](const GoldenCase& c) {
  const IndexArray& index = c.indices("input.index");
  return run_on_x(c, [&](const Tensor& x) { return gather(x, config_dim(c), index); });
});

// config {weight: null, ignore_index, reduction, label_smoothing} (README 6.10).
EMBER_GOLDEN_RUNNER("functional.cross_entropy", [](const GoldenCase& c) {
  return run_loss(c, [](const GoldenCase& k, const Tensor& logits) {
    CrossEntropyOptions options;
    options.ignore_index = k.config.value("ignore_index", int64_t{-100});
    options.label_smoothing = k.config.value("label_smoothing", 0.0f);
    options.reduction = reduction_of(k);
    return cross_entropy(logits, k.indices("input.target"), options);
  });
});

// loss = nll_loss(log_softmax(logits, log_softmax_dim), target) (README 6.10).
EMBER_GOLDEN_RUNNER("functional.nll_loss", [](const GoldenCase& c) {
  return run_loss(c, [](const GoldenCase& k, const Tensor& logits) {
    const Tensor logp = log_softmax(logits, k.config.value("log_softmax_dim", int64_t{-1}));
    return nll_loss(logp, k.indices("input.target"), k.config.value("ignore_index", int64_t{-100}),
                    reduction_of(k));
  });
});

}  // namespace
}  // namespace ember::golden
