// Learning-rate schedules against hand-computed values.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "ember/core/error.h"
#include "ember/optim/schedule.h"

using ember::Error;
using namespace ember::optim;

namespace {

doctest::Approx near(double v) { return doctest::Approx(v).epsilon(1e-6); }

}  // namespace

TEST_CASE("WarmupConstant rises linearly, then stays") {
  const WarmupConstant s(0.1f, 4);
  CHECK(s.rate(1) == near(0.025));
  CHECK(s.rate(2) == near(0.05));
  CHECK(s.rate(4) == near(0.1));
  CHECK(s.rate(1000) == near(0.1));
  CHECK(WarmupConstant(0.1f, 0).rate(1) == near(0.1));
  CHECK(s.state().empty());
}

TEST_CASE("Noam: d^-0.5 * min(k^-0.5, k * warmup^-1.5)") {
  const NoamSchedule s(/*d_model=*/4, /*warmup_steps=*/4);  // d^-0.5 = 0.5, warmup^-1.5 = 1/8
  CHECK(s.rate(1) == near(0.5 * 1 / 8.0));
  CHECK(s.rate(2) == near(0.5 * 2 / 8.0));
  CHECK(s.rate(4) == near(0.5 * 0.5));  // the peak: both terms are 1/2
  CHECK(s.rate(16) == near(0.5 * 0.25));
  CHECK(NoamSchedule(4, 4, 2.0f).rate(16) == near(0.25));
  // The paper's base model: peak 512^-0.5 * 4000^-0.5 at step 4000.
  CHECK(NoamSchedule(512, 4000).rate(4000) == near(1.0 / std::sqrt(512.0 * 4000.0)));
}

TEST_CASE("WarmupCosine: warmup, half cosine, then min_lr") {
  const WarmupCosine s(1.0f, 2, 6);
  CHECK(s.rate(1) == near(0.5));
  CHECK(s.rate(2) == near(1.0));
  CHECK(s.rate(3) == near(0.5 * (1 + std::cos(std::numbers::pi / 4))));
  CHECK(s.rate(4) == near(0.5));
  CHECK(s.rate(5) == near(0.5 * (1 + std::cos(3 * std::numbers::pi / 4))));
  CHECK(s.rate(6) == 0.0f);
  CHECK(s.rate(60) == 0.0f);
  const WarmupCosine floor(1.0f, 0, 4, 0.1f);
  CHECK(floor.rate(2) == near(0.1 + 0.9 * 0.5));
  CHECK(floor.rate(9) == near(0.1));
}

TEST_CASE("StepDecay multiplies by gamma every step_size updates") {
  const StepDecay s(1.0f, 3, 0.5f);
  CHECK(s.rate(1) == 1.0f);
  CHECK(s.rate(3) == 1.0f);
  CHECK(s.rate(4) == 0.5f);
  CHECK(s.rate(6) == 0.5f);
  CHECK(s.rate(7) == 0.25f);
}

TEST_CASE("ReduceOnPlateau follows torch's ReduceLROnPlateau") {
  ReduceOnPlateau s(
      1.0f, {.factor = 0.5f, .patience = 1, .threshold = 0.0f, .cooldown = 1, .min_lr = 0.2f});
  CHECK_FALSE(s.observe(1.0));  // best 1
  CHECK_FALSE(s.observe(1.0));  // 1 bad epoch: within patience
  CHECK(s.observe(1.0));        // 2 bad: reduce, cooldown 1
  CHECK(s.rate(1) == 0.5f);
  CHECK(s.rate(99) == 0.5f);    // the step does not matter
  CHECK_FALSE(s.observe(2.0));  // bad, but in cooldown: not counted
  CHECK_FALSE(s.observe(2.0));  // 1 bad
  CHECK(s.observe(2.0));        // 2 bad: 0.25
  CHECK(s.rate(1) == 0.25f);
  CHECK_FALSE(s.observe(0.5));  // better: best 0.5 (cooldown ends)
  CHECK_FALSE(s.observe(0.6));
  CHECK(s.observe(0.6));  // max(0.125, min_lr 0.2)
  CHECK(s.rate(1) == 0.2f);
  CHECK_FALSE(s.observe(0.6));  // in cooldown
  CHECK_FALSE(s.observe(0.6));
  CHECK_FALSE(s.observe(0.6));  // would reduce, but already at min_lr
  CHECK(s.rate(1) == 0.2f);
}

TEST_CASE("ReduceOnPlateau's threshold is relative") {
  ReduceOnPlateau s(1.0f, {.patience = 0, .threshold = 0.1f});
  CHECK_FALSE(s.observe(10.0));
  CHECK_FALSE(s.observe(8.9));  // < 10 * 0.9: an improvement
  CHECK(s.observe(8.5));        // not below 8.9 * 0.9
  CHECK(s.rate(1) == near(0.1));
}

TEST_CASE("ReduceOnPlateau state round-trips and bad states are refused") {
  ReduceOnPlateau a(1.0f, {.patience = 2, .cooldown = 3});
  for (double loss : {3.0, 2.0, 2.5, 2.5, 2.5, 2.4}) a.observe(loss);
  const Schedule::State st = a.state();
  CHECK(st.at("lr") == near(0.1));
  CHECK(st.at("best") == 2.0);
  CHECK(st.at("cooldown_counter") == 2.0);
  ReduceOnPlateau b(1.0f, {.patience = 2, .cooldown = 3});
  b.load_state(st);
  CHECK(b.state() == st);
  for (double loss : {2.2, 2.2, 2.2, 2.2}) CHECK(a.observe(loss) == b.observe(loss));
  CHECK(a.state() == b.state());

  Schedule::State missing = st;
  missing.erase("best");
  CHECK_THROWS_WITH_AS(b.load_state(missing), doctest::Contains("[ReduceOnPlateau] state keys"),
                       Error);
  Schedule::State bad = st;
  bad["num_bad"] = -1;
  CHECK_THROWS_WITH_AS(b.load_state(bad), doctest::Contains("num_bad -1"), Error);
  bad = st;
  bad["lr"] = -1;
  CHECK_THROWS_WITH_AS(b.load_state(bad), doctest::Contains("[ReduceOnPlateau] lr"), Error);
  CHECK(b.state() == a.state());  // unchanged by the refusals
  CHECK_THROWS_WITH_AS(StepDecay(1, 1).load_state({{"lr", 1}}), doctest::Contains("[StepDecay]"),
                       Error);
}

TEST_CASE("schedule arguments are checked") {
  CHECK_THROWS_WITH_AS(NoamSchedule(4, 4).rate(0), doctest::Contains("[Noam] updates are counted"),
                       Error);
  CHECK_THROWS_WITH_AS(WarmupConstant(1, 1).rate(-1), doctest::Contains("[WarmupConstant]"), Error);
  CHECK_THROWS_WITH_AS(WarmupConstant(-1, 1), doctest::Contains("base_lr"), Error);
  CHECK_THROWS_WITH_AS(WarmupConstant(1, -1), doctest::Contains("warmup_steps"), Error);
  CHECK_THROWS_WITH_AS(NoamSchedule(0, 10), doctest::Contains("[Noam] d_model"), Error);
  CHECK_THROWS_WITH_AS(NoamSchedule(8, 10, -1), doctest::Contains("[Noam] factor"), Error);
  CHECK_THROWS_WITH_AS(WarmupCosine(1, 5, 5), doctest::Contains("[WarmupCosine]"), Error);
  CHECK_THROWS_WITH_AS(WarmupCosine(1, 0, 5, -1), doctest::Contains("min_lr"), Error);
  CHECK_THROWS_WITH_AS(StepDecay(1, 0), doctest::Contains("[StepDecay] step_size"), Error);
  CHECK_THROWS_WITH_AS(StepDecay(1, 1, NAN), doctest::Contains("[StepDecay] gamma"), Error);
  CHECK_THROWS_WITH_AS(ReduceOnPlateau(1, {.factor = 1.0f}),
                       doctest::Contains("[ReduceOnPlateau] factor"), Error);
  CHECK_THROWS_WITH_AS(ReduceOnPlateau(1, {.patience = -1}), doctest::Contains("patience"), Error);
}
