// The report of `ember cost` (lab/layer_cost.h): what the measurements say, a table per length,
// the figure and the raw points, written into one directory:
//
//   <dir>/cost.md    findings, Table 1 of Vaswani et al. 2017 with ember's constants, the
//                    measured table, the fitted exponents and the crossovers
//   <dir>/cost.svg   time, memory and GFLOP/s against n, on log axes
//   <dir>/cost.csv   one row per (layer, length)
//
//   write_layer_cost_report(points, options, "runs/cost", "ember cost --out runs/cost");
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/lab/layer_cost.h"

namespace ember::seq2seq::lab {

// The exponent p of time ~ n^p between a layer's two longest measured lengths (the slope on log
// axes), or NaN when the layer has fewer than two points.
double time_exponent(const std::vector<LayerCostPoint>& points, MixingLayer layer);

// The answers in plain words: the crossovers measured and predicted by FLOPs, each layer's
// exponent and the throughput it reaches.
std::vector<std::string> layer_cost_findings(const std::vector<LayerCostPoint>& points,
                                             const LayerCostOptions& options);

std::string layer_cost_markdown(const std::vector<LayerCostPoint>& points,
                                const LayerCostOptions& options, const std::string& command);
std::string layer_cost_figure(const std::vector<LayerCostPoint>& points);  // the SVG document
std::string layer_cost_csv(const std::vector<LayerCostPoint>& points,
                           const LayerCostOptions& options);

// Writes cost.md, cost.svg and cost.csv into dir (created if needed), each atomically.
void write_layer_cost_report(const std::vector<LayerCostPoint>& points,
                             const LayerCostOptions& options, const std::string& dir,
                             const std::string& command);

}  // namespace ember::seq2seq::lab
