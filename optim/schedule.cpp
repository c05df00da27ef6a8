#include "ember/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "ember/core/error.h"

namespace ember::optim {
namespace {

void check_step(const char* name, int64_t step) {
  EMBER_CHECK(step >= 1, "[{}] updates are counted from 1, got step {}", name, step);
}

void check_rate(const char* name, const char* what, double value) {
  EMBER_CHECK(std::isfinite(value) && value >= 0.0, "[{}] {} must be finite and >= 0, got {}", name,
              what, value);
}

bool is_count(double v) { return std::isfinite(v) && v >= 0.0 && v == std::floor(v); }

}  // namespace

void Schedule::load_state(const State& state) {
  std::vector<std::string> expected, got;
  for (const auto& [key, value] : this->state()) expected.push_back(key);
  for (const auto& [key, value] : state) got.push_back(key);
  EMBER_CHECK(expected == got, "[{}] state keys are [{}], expected [{}]", name(),
              fmt::join(got, ", "), fmt::join(expected, ", "));
}

WarmupConstant::WarmupConstant(float base_lr, int64_t warmup_steps)
    : base_lr_(base_lr), warmup_(warmup_steps) {
  check_rate(name(), "base_lr", base_lr);
  EMBER_CHECK(warmup_steps >= 0, "[{}] warmup_steps must be >= 0, got {}", name(), warmup_steps);
}

float WarmupConstant::rate(int64_t step) const {
  check_step(name(), step);
  if (step >= warmup_) return static_cast<float>(base_lr_);
  return static_cast<float>(base_lr_ * static_cast<double>(step) / static_cast<double>(warmup_));
}

NoamSchedule::NoamSchedule(int64_t d_model, int64_t warmup_steps, float factor)
    : scale_(factor / std::sqrt(static_cast<double>(d_model))), warmup_(warmup_steps) {
  EMBER_CHECK(d_model > 0 && warmup_steps > 0,
              "[{}] d_model and warmup_steps must be > 0, got {} and {}", name(), d_model,
              warmup_steps);
  check_rate(name(), "factor", factor);
}

float NoamSchedule::rate(int64_t step) const {
  check_step(name(), step);
  const auto k = static_cast<double>(step);
  const double rising = k * std::pow(static_cast<double>(warmup_), -1.5);
  return static_cast<float>(scale_ * std::min(1.0 / std::sqrt(k), rising));
}

WarmupCosine::WarmupCosine(float base_lr, int64_t warmup_steps, int64_t total_steps, float min_lr)
    : base_lr_(base_lr), min_lr_(min_lr), warmup_(warmup_steps), total_(total_steps) {
  check_rate(name(), "base_lr", base_lr);
  check_rate(name(), "min_lr", min_lr);
  EMBER_CHECK(warmup_steps >= 0 && total_steps > warmup_steps,
              "[{}] needs 0 <= warmup_steps < total_steps, got {} and {}", name(), warmup_steps,
              total_steps);
}

float WarmupCosine::rate(int64_t step) const {
  check_step(name(), step);
  const auto k = static_cast<double>(step);
  if (step <= warmup_) return static_cast<float>(base_lr_ * k / static_cast<double>(warmup_));
  if (step >= total_) return static_cast<float>(min_lr_);
  const double progress = (k - warmup_) / static_cast<double>(total_ - warmup_);
  const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  return static_cast<float>(min_lr_ + (base_lr_ - min_lr_) * cosine);
}

StepDecay::StepDecay(float base_lr, int64_t step_size, float gamma)
    : base_lr_(base_lr), gamma_(gamma), step_size_(step_size) {
  check_rate(name(), "base_lr", base_lr);
  check_rate(name(), "gamma", gamma);
  EMBER_CHECK(step_size > 0, "[{}] step_size must be > 0, got {}", name(), step_size);
}

float StepDecay::rate(int64_t step) const {
  check_step(name(), step);
  const auto decays = static_cast<double>((step - 1) / step_size_);
  return static_cast<float>(base_lr_ * std::pow(gamma_, decays));
}

ReduceOnPlateau::ReduceOnPlateau(float base_lr, const PlateauOptions& options)
    : options_(options), lr_(base_lr), best_(std::numeric_limits<double>::infinity()) {
  check_rate(name(), "base_lr", base_lr);
  check_rate(name(), "min_lr", options.min_lr);
  EMBER_CHECK(options.factor > 0.0f && options.factor < 1.0f,
              "[{}] factor must be in (0, 1), got {}", name(), options.factor);
  EMBER_CHECK(options.patience >= 0 && options.cooldown >= 0,
              "[{}] patience and cooldown must be >= 0, got {} and {}", name(), options.patience,
              options.cooldown);
}

float ReduceOnPlateau::rate(int64_t step) const {
  check_step(name(), step);
  return static_cast<float>(lr_);
}

// torch's ReduceLROnPlateau.step(metrics) in mode "min", threshold_mode "rel".
bool ReduceOnPlateau::observe(double loss) {
  if (loss < best_ * (1.0 - double{options_.threshold})) {
    best_ = loss;
    num_bad_ = 0;
  } else {
    ++num_bad_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_ = 0;
  }
  if (num_bad_ <= options_.patience) return false;
  cooldown_counter_ = options_.cooldown;
  num_bad_ = 0;
  const double reduced = std::max(lr_ * options_.factor, double{options_.min_lr});
  if (lr_ - reduced <= options_.eps) return false;
  lr_ = reduced;
  return true;
}

Schedule::State ReduceOnPlateau::state() const {
  return {{"lr", lr_},
          {"best", best_},
          {"num_bad", static_cast<double>(num_bad_)},
          {"cooldown_counter", static_cast<double>(cooldown_counter_)}};
}

void ReduceOnPlateau::load_state(const State& state) {
  Schedule::load_state(state);
  const double lr = state.at("lr"), num_bad = state.at("num_bad");
  const double cooldown = state.at("cooldown_counter");
  check_rate(name(), "lr", lr);
  EMBER_CHECK(!std::isnan(state.at("best")) && is_count(num_bad) && is_count(cooldown),
              "[{}] state holds best {}, num_bad {}, cooldown_counter {}", name(), state.at("best"),
              num_bad, cooldown);
  lr_ = lr;
  best_ = state.at("best");
  num_bad_ = static_cast<int64_t>(num_bad);
  cooldown_counter_ = static_cast<int64_t>(cooldown);
}

}  // namespace ember::optim
