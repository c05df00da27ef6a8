// Learning-rate schedules: small objects the training loop asks for the rate of update k
// (k = 1, 2, ...: the k-th call of Optimizer::step), then hands to Optimizer::set_lr:
//
//   optim::NoamSchedule schedule(/*d_model=*/512, /*warmup_steps=*/4000);
//   for (int64_t k = 1; k <= steps; ++k) { ...; opt.set_lr(schedule.rate(k)); opt.step(); }
//
// All but ReduceOnPlateau are pure functions of k; ReduceOnPlateau is fed validation losses and
// keeps a state, which state()/load_state() expose to training checkpoints.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ember::optim {

class Schedule {
 public:
  using State = std::map<std::string, double>;

  virtual ~Schedule() = default;
  virtual const char* name() const = 0;
  // The learning rate of update number `step` (>= 1).
  virtual float rate(int64_t step) const = 0;
  // The schedule's mutable state by name (empty for the pure schedules).
  virtual State state() const { return {}; }
  // Restores state(); throws (changing nothing) unless the keys are exactly those of state().
  virtual void load_state(const State& state);
};

// Linear warmup to base_lr over warmup_steps updates, then constant:
//   rate(k) = base_lr * min(1, k / warmup_steps)        (warmup_steps 0: always base_lr)
class WarmupConstant : public Schedule {
 public:
  WarmupConstant(float base_lr, int64_t warmup_steps);
  const char* name() const override { return "WarmupConstant"; }
  float rate(int64_t step) const override;

 private:
  double base_lr_;
  int64_t warmup_;
};

// The Transformer's inverse square root schedule (Vaswani et al., 2017, eq. 3), times `factor`:
//   rate(k) = factor * d_model^-0.5 * min(k^-0.5, k * warmup_steps^-1.5)
// It rises linearly for warmup_steps updates, peaks at factor / sqrt(d_model * warmup_steps),
// then decays as 1 / sqrt(k).
class NoamSchedule : public Schedule {
 public:
  NoamSchedule(int64_t d_model, int64_t warmup_steps, float factor = 1.0f);
  const char* name() const override { return "Noam"; }
  float rate(int64_t step) const override;

 private:
  double scale_;  // factor * d_model^-0.5
  int64_t warmup_;
};

// Linear warmup, then a half cosine from base_lr down to min_lr at total_steps (Loshchilov &
// Hutter, 2017, eq. 5, one cycle):
//   k <= warmup:          base_lr * k / warmup
//   warmup < k < total:   min_lr + (base_lr - min_lr) * (1 + cos(pi * (k - warmup) /
//                                                                (total - warmup))) / 2
//   k >= total:           min_lr
class WarmupCosine : public Schedule {
 public:
  WarmupCosine(float base_lr, int64_t warmup_steps, int64_t total_steps, float min_lr = 0.0f);
  const char* name() const override { return "WarmupCosine"; }
  float rate(int64_t step) const override;

 private:
  double base_lr_, min_lr_;
  int64_t warmup_, total_;
};

// Multiplies the rate by gamma every step_size updates (torch's StepLR, counting updates):
//   rate(k) = base_lr * gamma^floor((k - 1) / step_size)
class StepDecay : public Schedule {
 public:
  StepDecay(float base_lr, int64_t step_size, float gamma = 0.1f);
  const char* name() const override { return "StepDecay"; }
  float rate(int64_t step) const override;

 private:
  double base_lr_, gamma_;
  int64_t step_size_;
};

// torch.optim.lr_scheduler.ReduceLROnPlateau's defaults (mode "min", threshold_mode "rel").
struct PlateauOptions {
  float factor = 0.1f;      // new rate = max(rate * factor, min_lr)
  int64_t patience = 10;    // evaluations without improvement tolerated before a reduction
  float threshold = 1e-4f;  // improvement means loss < best * (1 - threshold)
  int64_t cooldown = 0;     // evaluations after a reduction during which bad ones are not counted
  float min_lr = 0.0f;
  float eps = 1e-8f;  // reductions smaller than eps are skipped
};

// Reduces the rate when the validation loss stops improving. rate(k) is the current rate,
// whatever k; observe() is called once per evaluation.
class ReduceOnPlateau : public Schedule {
 public:
  ReduceOnPlateau(float base_lr, const PlateauOptions& options = {});
  const char* name() const override { return "ReduceOnPlateau"; }
  float rate(int64_t step) const override;
  // Feeds one validation loss; returns true when it reduced the rate.
  bool observe(double loss);
  // {"lr", "best", "num_bad", "cooldown_counter"}.
  State state() const override;
  void load_state(const State& state) override;

 private:
  PlateauOptions options_;
  double lr_;
  double best_;
  int64_t num_bad_ = 0;
  int64_t cooldown_counter_ = 0;
};

}  // namespace ember::optim
