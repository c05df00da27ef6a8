// Golden runners for the optimizers and gradient clipping (../shared/golden/README.md section
// 6.12). An optimizer case gives one parameter `param.p` and, for k = 1, 2, ..., the gradient
// `step<k>.grad` assigned before step k; the runner reports the parameter after each step as
// `step<k>.p`. The clip case gives gradients input.g<i> and reports output.total_norm and the
// clipped output.g<i>.
#include <memory>
#include <string>

#include "ember/core/error.h"
#include "ember/optim/adam.h"
#include "ember/optim/clip_grad.h"
#include "ember/optim/sgd.h"
#include "tools/golden/golden_case.h"

namespace ember::golden {
namespace {

float config_float(const GoldenCase& c, const char* key) {
  EMBER_CHECK(c.config.contains(key) && c.config.at(key).is_number(),
              "[golden] {}: config '{}' must be a number", c.name, key);
  return c.config.at(key).get<float>();
}

// torch's maximize / amsgrad variants are not part of ember: refuse rather than run them wrong.
void check_plain(const GoldenCase& c) {
  EMBER_CHECK(!c.config.value("maximize", false) && !c.config.value("amsgrad", false),
              "[golden] {}: maximize and amsgrad are not supported", c.name);
}

// Steps the optimizer made by `make(params)` through every step<k>.grad of the case.
template <class Make>
GoldenResults run_steps(const GoldenCase& c, Make make) {
  check_plain(c);
  Tensor p(c.floats("param.p").clone(), true);
  std::unique_ptr<optim::Optimizer> opt = make(std::vector<Tensor>{p});
  GoldenResults r;
  for (int k = 1; c.has(fmt::format("step{}.grad", k)); ++k) {
    p.set_grad(c.floats(fmt::format("step{}.grad", k)).clone());
    opt->step();
    r[fmt::format("step{}.p", k)] = p.data().clone();
  }
  EMBER_CHECK(!r.empty(), "[golden] {}: no step1.grad", c.name);
  return r;
}

GoldenResults run_sgd(const GoldenCase& c) {
  const optim::SGDOptions o{config_float(c, "lr"), config_float(c, "momentum"),
                            config_float(c, "dampening"), config_float(c, "weight_decay"),
                            c.config.value("nesterov", false)};
  return run_steps(
      c, [&](std::vector<Tensor> ps) { return std::make_unique<optim::SGD>(std::move(ps), o); });
}

// Adam's and AdamW's options from the case: lr, betas [b1, b2], eps, weight_decay.
template <class Options>
Options adam_options(const GoldenCase& c) {
  const auto& betas = c.config.at("betas");
  EMBER_CHECK(betas.is_array() && betas.size() == 2, "[golden] {}: config 'betas' must be [b1, b2]",
              c.name);
  return Options{config_float(c, "lr"), betas[0].get<float>(), betas[1].get<float>(),
                 config_float(c, "eps"), config_float(c, "weight_decay")};
}

GoldenResults run_adam(const GoldenCase& c) {
  const auto o = adam_options<optim::AdamOptions>(c);
  return run_steps(
      c, [&](std::vector<Tensor> ps) { return std::make_unique<optim::Adam>(std::move(ps), o); });
}

GoldenResults run_adamw(const GoldenCase& c) {
  const auto o = adam_options<optim::AdamWOptions>(c);
  return run_steps(
      c, [&](std::vector<Tensor> ps) { return std::make_unique<optim::AdamW>(std::move(ps), o); });
}

GoldenResults run_clip_grad_norm(const GoldenCase& c) {
  std::vector<Tensor> params;
  for (int i = 0; c.has(fmt::format("input.g{}", i)); ++i) {
    const NDArray& g = c.floats(fmt::format("input.g{}", i));
    Tensor p(NDArray::zeros(g.shape()), true);
    p.set_grad(g.clone());
    params.push_back(p);
  }
  const float total =
      optim::clip_grad_norm(params, config_float(c, "max_norm"), config_float(c, "norm_type"),
                            c.config.value("error_if_nonfinite", false));
  GoldenResults r{{"output.total_norm", NDArray::scalar(total)}};
  for (size_t i = 0; i < params.size(); ++i) r[fmt::format("output.g{}", i)] = params[i].grad();
  return r;
}

EMBER_GOLDEN_RUNNER("optim.SGD", run_sgd);
EMBER_GOLDEN_RUNNER("optim.Adam", run_adam);
EMBER_GOLDEN_RUNNER("optim.AdamW", run_adamw);
EMBER_GOLDEN_RUNNER("optim.clip_grad_norm", run_clip_grad_norm);

}  // namespace
}  // namespace ember::golden
