#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/lab/layer_cost.h"
#include "ember/seq2seq/lab/layer_cost_report.h"

using namespace ember;
using namespace ember::seq2seq::lab;

namespace {

LayerCostOptions tiny() {
  LayerCostOptions o;
  o.lengths = {4, 8, 16};
  o.width = 8;
  o.batch = 2;
  o.heads = 2;
  o.repeats = 1;
  o.warmup = 0;
  return o;
}

LayerCostPoint point(MixingLayer layer, int64_t n, double seconds) {
  LayerCostPoint p;
  p.layer = layer;
  p.length = n;
  p.median_seconds = seconds;
  return p;
}

}  // namespace

TEST_CASE("forward FLOPs: the LSTM's 8 gate products, k d^2 per position, attention's n^2 term") {
  LayerCostOptions o;
  o.width = 4;
  o.batch = 2;
  o.kernel = 5;
  // LSTM: per position 4 gates x (input + hidden) x d x d multiply-adds, 2 FLOPs each.
  CHECK(forward_flops(MixingLayer::kRecurrent, 3, o) == 2.0 * 2 * 3 * (4 * (4 + 4) * 4));
  CHECK(forward_flops(MixingLayer::kConvolution, 3, o) == 2.0 * 2 * 3 * (5 * 4 * 4));
  // Attention: Q, K, V and output projections, then n scores and n weighted values per query.
  CHECK(forward_flops(MixingLayer::kSelfAttention, 3, o) ==
        2.0 * 2 * 3 * (4 * 4 * 4) + 2.0 * 2 * 2 * 3 * 3 * 4);
}

TEST_CASE("FLOP crossovers: attention meets the LSTM at n = 2d and never the convolution") {
  LayerCostOptions o;
  o.width = 256;
  const auto lstm = flops_crossover(MixingLayer::kSelfAttention, MixingLayer::kRecurrent, o);
  REQUIRE(lstm.has_value());
  CHECK(*lstm == doctest::Approx(512.0));
  CHECK(forward_flops(MixingLayer::kSelfAttention, 512, o) ==
        doctest::Approx(forward_flops(MixingLayer::kRecurrent, 512, o)));
  CHECK_FALSE(flops_crossover(MixingLayer::kSelfAttention, MixingLayer::kConvolution, o));
  CHECK_FALSE(flops_crossover(MixingLayer::kRecurrent, MixingLayer::kConvolution, o));
  o.kernel = 9;  // 18 n d^2 against 8 n d^2 + 4 n^2 d: equal at n = 2.5 d
  const auto wide = flops_crossover(MixingLayer::kConvolution, MixingLayer::kSelfAttention, o);
  REQUIRE(wide.has_value());
  CHECK(*wide == doctest::Approx(640.0));
}

TEST_CASE("Table 1's sequential operations and path lengths") {
  CHECK(sequential_operations(MixingLayer::kRecurrent, 100) == 100);
  CHECK(sequential_operations(MixingLayer::kConvolution, 100) == 1);
  CHECK(sequential_operations(MixingLayer::kSelfAttention, 100) == 1);
  CHECK(maximum_path_length(MixingLayer::kRecurrent, 100, 3) == 99);
  CHECK(maximum_path_length(MixingLayer::kConvolution, 100, 3) == 99);  // one position a layer
  CHECK(maximum_path_length(MixingLayer::kConvolution, 100, 5) == 50);  // two
  CHECK(maximum_path_length(MixingLayer::kConvolution, 101, 5) == 50);
  CHECK(maximum_path_length(MixingLayer::kSelfAttention, 100, 3) == 1);
  CHECK(maximum_path_length(MixingLayer::kSelfAttention, 1, 3) == 0);
}

TEST_CASE("crossovers: the first change of order, interpolated on log axes") {
  const MixingLayer a = MixingLayer::kSelfAttention, r = MixingLayer::kRecurrent;
  // Attention 1, 4, 16 ms (n^2); LSTM 2, 4, 8 ms (n): equal at 32 exactly, then attention slower.
  const std::vector<LayerCostPoint> points = {point(a, 16, 1.0), point(a, 32, 4.0),
                                              point(a, 64, 16.0), point(r, 16, 2.0),
                                              point(r, 32, 4.0), point(r, 64, 8.0)};
  std::vector<Crossover> found = crossovers(points);
  REQUIRE(found.size() == 1);
  CHECK(found[0].cheaper_below == a);
  CHECK(found[0].cheaper_above == r);
  CHECK(found[0].length == doctest::Approx(32.0));
  // Between two lengths: log ratio log(1/2) at 16 and log(32/8) at 64: zero a third of the way.
  found = crossovers({point(a, 16, 1.0), point(a, 64, 32.0), point(r, 16, 2.0), point(r, 64, 8.0)});
  REQUIRE(found.size() == 1);
  CHECK(found[0].length == doctest::Approx(16.0 * std::pow(4.0, 1.0 / 3.0)));
  // No change of order, no crossover.
  CHECK(crossovers({point(a, 16, 1.0), point(a, 64, 2.0), point(r, 16, 2.0), point(r, 64, 8.0)})
            .empty());
  CHECK(time_exponent(points, a) == doctest::Approx(2.0));
  CHECK(time_exponent(points, r) == doctest::Approx(1.0));
  CHECK(std::isnan(time_exponent({point(a, 16, 1.0)}, a)));
}

TEST_CASE("measure_layer_cost: a point per layer and length, memory held beyond the input") {
  const LayerCostOptions o = tiny();
  int reported = 0;
  const std::vector<LayerCostPoint> points =
      measure_layer_cost(o, [&](const LayerCostPoint&) { ++reported; });
  REQUIRE(points.size() == 9);
  CHECK(reported == 9);
  for (const LayerCostPoint& p : points) {
    INFO(mixing_layer_name(p.layer), " n ", p.length);
    CHECK(p.median_seconds > 0.0);
    CHECK(p.min_seconds <= p.median_seconds);
    CHECK(p.flops == 3.0 * forward_flops(p.layer, p.length, o));
    // At least the output (B, n, d) and the input's gradient, 4 bytes a number.
    CHECK(p.peak_bytes >= 2 * o.batch * p.length * o.width * 4);
  }
}

TEST_CASE("memory: attention keeps its (B, heads, n, n) weights, the LSTM grows linearly") {
  LayerCostOptions o = tiny();
  o.lengths = {32, 64, 128};
  const std::vector<LayerCostPoint> points = measure_layer_cost(o);
  const auto growth = [&](MixingLayer layer) {
    double peak[3] = {};
    for (const LayerCostPoint& p : points) {
      if (p.layer != layer) continue;
      peak[p.length == 32 ? 0 : p.length == 64 ? 1 : 2] = static_cast<double>(p.peak_bytes);
    }
    // Doubling n adds twice as much again for memory ~ n, four times for memory ~ n^2.
    return (peak[2] - peak[1]) / (peak[1] - peak[0]);
  };
  CHECK(growth(MixingLayer::kSelfAttention) > 3.0);
  CHECK(growth(MixingLayer::kRecurrent) < 3.0);
}

TEST_CASE("options are validated, naming the option") {
  LayerCostOptions o = tiny();
  o.lengths = {8, 4};
  CHECK_THROWS_WITH_AS(validate(o), doctest::Contains("[cost] lengths must increase"),
                       ember::Error);
  o = tiny();
  o.heads = 3;
  CHECK_THROWS_WITH_AS(validate(o), doctest::Contains("divide the width 8, got 3"), ember::Error);
  o = tiny();
  o.kernel = 4;
  CHECK_THROWS_WITH_AS(validate(o), doctest::Contains("[cost] kernel must be odd"), ember::Error);
  o = tiny();
  o.layers.clear();
  CHECK_THROWS_WITH_AS(validate(o), doctest::Contains("[cost] no layers"), ember::Error);
  CHECK_THROWS_WITH_AS(mixing_layer_names().parse("gru"),
                       doctest::Contains("unknown layer 'gru' (expected one of: lstm, conv, "
                                         "attention)"),
                       ember::Error);
}

TEST_CASE("the report: findings, both tables, a log-log figure, one CSV row per point") {
  const MixingLayer a = MixingLayer::kSelfAttention, r = MixingLayer::kRecurrent;
  LayerCostRun run;
  run.options.layers = {a, r};
  run.points = {point(a, 16, 1.0), point(a, 64, 32.0), point(r, 16, 2.0), point(r, 64, 8.0)};
  for (LayerCostPoint& p : run.points) {
    p.peak_bytes = 1 << 20;
    p.gflops_per_second = 25.0;
  }
  run.sgemm_gflops_before = 40.0;
  run.sgemm_gflops_after = 60.0;
  run.command = "ember cost --x";
  const std::vector<std::string> findings = layer_cost_findings(run);
  REQUIRE(findings.size() == 3);
  CHECK(findings[0] ==
        "attention is faster than lstm below n ≈ 25 and slower above it; their FLOPs are equal "
        "at n = 512.");
  CHECK(findings[1].rfind("attention: time grows as n^2.50 between the two longest lengths; at "
                          "most 50% of the sgemm rate",
                          0) == 0);
  const std::string md = layer_cost_markdown(run);
  CHECK(md.find("    ember cost --x") != std::string::npos);
  CHECK(md.find("40.0 GFLOP/s before the layers and 60.0 after") != std::string::npos);
  CHECK(md.find("| attention (4 heads) | 8 B n d² + 4 B n² d") != std::string::npos);
  CHECK(md.find("| 64 | 32000.00 | 8000.00 | 1.0 | 1.0 | 50% | 50% |") != std::string::npos);
  const std::string csv = layer_cost_csv(run);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);
  CHECK(csv.find("lstm,64,256,8,8,0,") != std::string::npos);
  CHECK(csv.find(",25,50,1048576,64,63") != std::string::npos);
  CHECK(layer_cost_figure(run).find(">1000</text>") != std::string::npos);  // log time axis
}

TEST_CASE("the sgemm rate is a positive rate of 2 n^3 FLOPs a product") {
  CHECK(measure_sgemm_gflops(64, 3) > 0.0);
  CHECK_THROWS_WITH_AS(measure_sgemm_gflops(0, 3), doctest::Contains("[cost] sgemm size"),
                       ember::Error);
}
