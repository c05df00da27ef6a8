// SVG figures of a training run, written without a plotting library: line charts (the loss and
// score curves of curves.svg) and heatmaps (the attention weights of one sentence). The output is
// a standalone SVG 1.1 document any browser shows.
//
//   LineChart loss{.title = "loss", .x_label = "step", .y_label = "cross-entropy"};
//   loss.series.push_back({"train", steps, train_loss});
//   core::write_file_atomic(run_dir + "/curves.svg", svg_line_charts({loss, score}), "[trainer]");
//
//   Heatmap map{.title = "attention", .values = weights /* (T, S) */, .row_labels = target_pieces,
//               .column_labels = source_pieces};
//   core::write_file_atomic("attention.svg", svg_heatmap(map), "[translate]");
#pragma once

#include <string>
#include <vector>

#include "ember/core/ndarray.h"

namespace ember::seq2seq {

// One curve: y[i] at x[i], drawn as a polyline in the order given; non-finite points are left out.
struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series = {};
  // Logarithmic axes (base 10, ticks at 1, 2 and 5 times powers of ten), where a power law is a
  // straight line whose slope is its exponent; values <= 0 are left out on a log axis.
  bool log_x = false;
  bool log_y = false;
};

// The charts stacked vertically in one document, each `width` x `height` pixels, with axes, "nice"
// tick values (1, 2 or 5 times a power of ten), a legend and one colour per series. A chart with
// no finite point draws its frame and "no data yet". Throws "[svg_plot]" when a series has x and
// y of different lengths, or for sizes under 200 x 120.
std::string svg_line_charts(const std::vector<LineChart>& charts, int width = 720,
                            int height = 280);

// A matrix of weights in [0, 1] as coloured cells (white 0 .. dark blue 1), rows top to bottom
// labelled on the left, columns left to right labelled on top (rotated), the value printed in
// cells of at least 0.5.
struct Heatmap {
  std::string title;
  core::NDArray values;                    // (R, C)
  std::vector<std::string> row_labels;     // R labels (e.g. the output tokens)
  std::vector<std::string> column_labels;  // C labels (e.g. the source tokens)
};

// Throws "[svg_plot]" unless values is 2-D, non-empty, and the label counts match its shape.
std::string svg_heatmap(const Heatmap& heatmap);

// Escapes & < > " ' for SVG text and attributes.
std::string xml_escape(const std::string& text);

}  // namespace ember::seq2seq
