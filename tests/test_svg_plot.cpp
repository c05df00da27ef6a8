#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "ember/core/error.h"
#include "ember/core/ndarray.h"
#include "ember/seq2seq/report/svg_plot.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("line charts: one polyline per series with all finite points, a legend, stacked") {
  LineChart loss{.title = "loss", .x_label = "update", .y_label = "nats"};
  loss.series.push_back({"train", {1, 2, 3, 4}, {4.0, 3.0, NAN, 1.0}});
  loss.series.push_back({"valid", {2, 4}, {3.5, 2.0}});
  LineChart score{.title = "score", .x_label = "update", .y_label = "bleu"};
  const std::string svg = svg_line_charts({loss, score}, 600, 250);
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"500\"", 0) ==
        0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(count(svg, "<polyline") == 2);
  // The NaN point is left out: the train line has 3 points.
  const size_t train = svg.find("points=\"");
  const std::string points = svg.substr(train + 8, svg.find('"', train + 8) - train - 8);
  CHECK(count(points, ",") == 3);
  CHECK(svg.find(">train</text>") != std::string::npos);
  CHECK(svg.find(">valid</text>") != std::string::npos);
  CHECK(svg.find(">no data yet</text>") != std::string::npos);  // the empty score chart
}

TEST_CASE("line charts: ticks are round numbers; a single point is a dot") {
  LineChart chart{.title = "t", .x_label = "x", .y_label = "y"};
  chart.series.push_back({"one", {0, 100}, {0.0, 1.0}});
  const std::string svg = svg_line_charts({chart});
  CHECK(svg.find(">20</text>") != std::string::npos);   // steps of 20 on 0..100
  CHECK(svg.find(">0.6</text>") != std::string::npos);  // steps of 0.2 on 0..1
  CHECK(svg.find(">0.5</text>") == std::string::npos);
  LineChart dot{.title = "d", .x_label = "x", .y_label = "y"};
  dot.series.push_back({"p", {3}, {7.0}});
  CHECK(count(svg_line_charts({dot}), "<circle") == 1);
}

TEST_CASE("line charts refuse mismatched series and tiny sizes") {
  LineChart chart{.title = "bad", .x_label = "x", .y_label = "y"};
  chart.series.push_back({"s", {1, 2}, {1.0}});
  CHECK_THROWS_WITH_AS(svg_line_charts({chart}), doctest::Contains("[svg_plot]"), ember::Error);
  CHECK_THROWS_WITH_AS(svg_line_charts({}, 100, 50), doctest::Contains("[svg_plot]"), ember::Error);
}

TEST_CASE("heatmap: a cell per weight, labels escaped, values printed in strong cells") {
  const core::NDArray w = core::NDArray::from_vector({0.9f, 0.1f, 0.0f, 0.2f, 0.3f, 0.5f}, {2, 3});
  const std::string svg = svg_heatmap(
      {.title = "a<b", .values = w, .row_labels = {"1", "9"}, .column_labels = {"x", "&", "</s>"}});
  CHECK(count(svg, "<rect x=") == 6);
  CHECK(svg.find(">a&lt;b</text>") != std::string::npos);
  CHECK(svg.find(">&amp;</text>") != std::string::npos);
  CHECK(svg.find(">&lt;/s&gt;</text>") != std::string::npos);
  CHECK(svg.find(">0.90</text>") != std::string::npos);
  CHECK(svg.find(">0.50</text>") != std::string::npos);
  CHECK(svg.find(">0.30</text>") == std::string::npos);
  CHECK(svg.find("fill=\"rgb(255,255,255)\"") != std::string::npos);  // weight 0 is white
}

TEST_CASE("heatmap refuses a bad matrix or labels") {
  const core::NDArray w = core::NDArray::zeros({2, 2});
  CHECK_THROWS_WITH_AS(
      svg_heatmap({.title = "t", .values = w, .row_labels = {"a"}, .column_labels = {"x", "y"}}),
      doctest::Contains("[svg_plot]"), ember::Error);
  CHECK_THROWS_WITH_AS(
      svg_heatmap({.title = "t", .values = core::NDArray(), .row_labels = {}, .column_labels = {}}),
      doctest::Contains("[svg_plot]"), ember::Error);
  CHECK_THROWS_WITH_AS(svg_heatmap({.title = "t",
                                    .values = core::NDArray::zeros({4}),
                                    .row_labels = {},
                                    .column_labels = {}}),
                       doctest::Contains("[svg_plot]"), ember::Error);
}

TEST_CASE("xml_escape") { CHECK(xml_escape("a&b<c>\"d'") == "a&amp;b&lt;c&gt;&quot;d&apos;"); }
