// The Optimizer base (through SGD, its simplest subclass): parameter groups, zero_grad, skipped
// parameters, strided parameters, state access and its checks, and gradient accumulation.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/linear.h"
#include "ember/optim/adam.h"
#include "ember/optim/sgd.h"
#include "support/check.h"

using ember::Error;
using ember::NDArray;
using ember::Tensor;
using ember::optim::ParamGroup;
using ember::optim::ParamState;
using ember::optim::SGD;
using ember::testing::check_values;

namespace {

Tensor param(const std::vector<float>& values) {
  return Tensor::from_vector(values, {static_cast<int64_t>(values.size())}, true);
}

void set_grad(Tensor& p, const std::vector<float>& values) {
  p.set_grad(NDArray::from_vector(values, p.shape()));
}

}  // namespace

TEST_CASE("param groups keep their own learning rate and weight decay") {
  Tensor a = param({1.0f, 2.0f}), b = param({3.0f});
  SGD opt(std::vector<ParamGroup>{{{a}, 0.1f, 0.0f}, {{b}, 0.5f, 0.2f}}, {});
  set_grad(a, {1.0f, -1.0f});
  set_grad(b, {2.0f});
  opt.step();
  check_values(a.data(), {1.0f - 0.1f, 2.0f + 0.1f});
  check_values(b.data(), {3.0f - 0.5f * (2.0f + 0.2f * 3.0f)});
  CHECK(opt.param_groups().size() == 2);
  CHECK(opt.state().size() == 2);

  opt.set_lr(0.01f);
  CHECK(opt.param_groups()[0].lr == 0.01f);
  CHECK(opt.param_groups()[1].lr == 0.01f);
  CHECK(opt.param_groups()[1].weight_decay == 0.2f);
}

TEST_CASE("a plain parameter list makes one group from the options") {
  Tensor a = param({1.0f});
  SGD opt({a}, {.lr = 0.3f, .weight_decay = 0.1f});
  REQUIRE(opt.param_groups().size() == 1);
  CHECK(opt.param_groups()[0].lr == 0.3f);
  CHECK(opt.param_groups()[0].weight_decay == 0.1f);
  CHECK(std::string(opt.name()) == "SGD");
}

TEST_CASE("add_param_group extends the groups and the state") {
  Tensor a = param({1.0f}), b = param({2.0f, 3.0f});
  SGD opt({a}, {.lr = 0.1f});
  opt.add_param_group({{b}, 1.0f, 0.0f});
  set_grad(b, {1.0f, 1.0f});
  opt.step();
  check_values(b.data(), {1.0f, 2.0f});
  CHECK(opt.state().size() == 2);
  CHECK(opt.state()[0].step == 0);  // a had no gradient: skipped
  CHECK(opt.state()[1].step == 1);
  CHECK_THROWS_WITH_AS(opt.add_param_group({{a}, 0.1f, 0.0f}), doctest::Contains("[SGD]"), Error);
}

TEST_CASE("zero_grad drops the gradients and step skips parameters without one") {
  Tensor a = param({1.0f}), b = param({2.0f});
  SGD opt({a, b}, {.lr = 1.0f});
  set_grad(a, {1.0f});
  set_grad(b, {1.0f});
  opt.zero_grad();
  CHECK_FALSE(a.grad().defined());
  CHECK_FALSE(b.grad().defined());
  set_grad(b, {0.5f});
  opt.step();
  check_values(a.data(), {1.0f});
  check_values(b.data(), {1.5f});
}

TEST_CASE("a strided parameter is updated through its view") {
  NDArray base = NDArray::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor p(base.transpose(0, 1), true);  // (3, 2), not contiguous
  SGD opt({p}, {.lr = 1.0f});
  p.set_grad(NDArray::full({3, 2}, 1.0f));
  opt.step();
  check_values(base, {0, 1, 2, 3, 4, 5});
  CHECK(p.data().shares_storage_with(base));
}

TEST_CASE("bad groups and parameters are refused") {
  Tensor a = param({1.0f});
  CHECK_THROWS_WITH_AS(SGD(std::vector<ParamGroup>{}, {}), doctest::Contains("[SGD]"), Error);
  CHECK_THROWS_WITH_AS(SGD({a}, {.lr = -1.0f}), doctest::Contains("learning rate"), Error);
  CHECK_THROWS_WITH_AS(SGD({a}, {.lr = 0.1f, .weight_decay = -0.1f}),
                       doctest::Contains("weight decay"), Error);
  CHECK_THROWS_WITH_AS(SGD({a, a}, {}), doctest::Contains("more than once"), Error);
  CHECK_THROWS_WITH_AS(SGD({Tensor()}, {}), doctest::Contains("undefined"), Error);
  const Tensor not_leaf = a * 2.0f;
  CHECK_THROWS_WITH_AS(SGD({not_leaf}, {}), doctest::Contains("not a leaf"), Error);
  SGD opt({a}, {});
  CHECK_THROWS_WITH_AS(opt.set_lr(-0.5f), doctest::Contains("[SGD] learning rate"), Error);
}

TEST_CASE("a gradient of the wrong shape is refused by step") {
  Tensor a = param({1.0f, 2.0f});
  SGD opt({a}, {});
  a.impl()->grad = NDArray::zeros({3});  // set_grad refuses this; a raw write does not
  CHECK_THROWS_WITH_AS(opt.step(), doctest::Contains("shape (2,) but its gradient (3,)"), Error);
}

TEST_CASE("state can be read, checked and replaced") {
  Tensor a = param({1.0f, 2.0f});
  SGD opt({a}, {.lr = 0.1f, .momentum = 0.9f});
  CHECK(opt.buffer_names() == std::vector<std::string>{"momentum_buffer"});
  set_grad(a, {1.0f, 1.0f});
  opt.step();
  REQUIRE(opt.state()[0].step == 1);
  check_values(opt.state()[0].buffers.at("momentum_buffer"), {1.0f, 1.0f});

  std::vector<ParamState> good{{3, {{"momentum_buffer", NDArray::full({2}, 7.0f)}}}};
  opt.load_state(good);
  CHECK(opt.state()[0].step == 3);
  check_values(opt.state()[0].buffers.at("momentum_buffer"), {7.0f, 7.0f});

  auto refused = [&](std::vector<ParamState> bad, const char* text) {
    CHECK_THROWS_WITH_AS(opt.load_state(std::move(bad)), doctest::Contains(text), Error);
    CHECK(opt.state()[0].step == 3);  // unchanged
    check_values(opt.state()[0].buffers.at("momentum_buffer"), {7.0f, 7.0f});
  };
  refused({}, "state holds 0 parameters");
  refused({{-1, {}}}, "negative step");
  refused({{2, {}}}, "needs 1 buffers");
  refused({{2, {{"exp_avg", NDArray::zeros({2})}}}}, "'momentum_buffer' is missing");
  refused({{2, {{"momentum_buffer", NDArray::zeros({3})}}}}, "has shape (3,)");
  refused({{0, {{"momentum_buffer", NDArray::zeros({2})}}}}, "needs 0 buffers");
}

// Gradient accumulation (docs/training.md): the mean loss of a batch of B rows equals the mean
// over K micro-batches of B/K rows of their mean losses, so backward of loss_k / K for each
// micro-batch accumulates the large batch's gradient, and one step then makes the same update.
TEST_CASE("gradient accumulation over micro-batches equals one large batch") {
  constexpr int64_t kBatch = 8, kMicro = 4;
  auto make = [] {
    ember::core::manual_seed(7);
    return std::make_shared<ember::nn::Linear>(5, 3);
  };
  const Tensor x = Tensor::randn({kBatch, 5});
  const ember::IndexArray target({0, 2, 1, 1, 0, 2, 2, 1});
  auto big_model = make(), acc_model = make();
  ember::optim::AdamW big_opt(big_model->parameters(), {.lr = 0.1f});
  ember::optim::AdamW acc_opt(acc_model->parameters(), {.lr = 0.1f});
  for (int step = 0; step < 3; ++step) {
    big_opt.zero_grad();
    ember::cross_entropy(big_model->forward(x), target).backward();

    acc_opt.zero_grad();
    const int64_t rows = kBatch / kMicro;
    for (int64_t k = 0; k < kMicro; ++k) {
      const ember::IndexArray t(std::vector<int64_t>(target.values().begin() + k * rows,
                                                     target.values().begin() + (k + 1) * rows));
      const Tensor loss = ember::cross_entropy(acc_model->forward(x.narrow(0, k * rows, rows)), t);
      (loss / static_cast<float>(kMicro)).backward();
    }
    const auto big = big_model->parameters(), acc = acc_model->parameters();
    for (size_t i = 0; i < big.size(); ++i) {
      const std::vector<float> want = big[i].grad().to_vector(), got = acc[i].grad().to_vector();
      for (size_t j = 0; j < want.size(); ++j)
        CHECK(got[j] == doctest::Approx(want[j]).epsilon(1e-5));
    }
    big_opt.step();
    acc_opt.step();
  }
  for (const auto& [name, p] : big_model->named_parameters()) {
    const std::vector<float> want = p.to_vector();
    const std::vector<float> got = acc_model->state_dict().at(name).to_vector();
    for (size_t i = 0; i < want.size(); ++i)
      CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
  }
}
