// The report of `ember cost` (lab/layer_cost.h): what the measurements say, a table per length,
// the figure and the raw points, written into one directory:
//
//   <dir>/cost.md    findings, Table 1 of Vaswani et al. 2017 with ember's constants, the
//                    measured table, the fitted exponents and the crossovers
//   <dir>/cost.svg   time, memory and GFLOP/s against n, on log axes
//   <dir>/cost.csv   one row per (layer, length)
//
//   LayerCostRun run{.options = options, .points = measure_layer_cost(options), ...};
//   write_layer_cost_report(run, "runs/cost");
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/lab/layer_cost.h"

namespace ember::seq2seq::lab {

// A measured sweep and what it is read against.
struct LayerCostRun {
  LayerCostOptions options;
  std::vector<LayerCostPoint> points;
  // measure_sgemm_gflops() just before and just after the layers: the rates are given as a
  // fraction of their mean, and the two show how much the machine's speed moved meanwhile.
  double sgemm_gflops_before = 0.0;
  double sgemm_gflops_after = 0.0;
  std::string command;  // as typed, quoted in the report
  double sgemm_gflops() const { return 0.5 * (sgemm_gflops_before + sgemm_gflops_after); }
};

// The exponent p of time ~ n^p between a layer's two longest measured lengths (the slope on log
// axes), or NaN when the layer has fewer than two points.
double time_exponent(const std::vector<LayerCostPoint>& points, MixingLayer layer);

// The answers in plain words: the crossovers measured and predicted by FLOPs, each layer's
// exponent and the share of the sgemm rate it reaches.
std::vector<std::string> layer_cost_findings(const LayerCostRun& run);

std::string layer_cost_markdown(const LayerCostRun& run);
std::string layer_cost_figure(const LayerCostRun& run);  // the SVG document
std::string layer_cost_csv(const LayerCostRun& run);

// Writes cost.md, cost.svg and cost.csv into dir (created if needed), each atomically.
void write_layer_cost_report(const LayerCostRun& run, const std::string& dir);

}  // namespace ember::seq2seq::lab
