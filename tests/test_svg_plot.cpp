#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

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

// The polyline's points of the first series, as (x, y) pixel pairs.
std::vector<std::pair<double, double>> first_polyline(const std::string& svg) {
  const size_t at = svg.find("points=\"") + 8;
  std::istringstream in(svg.substr(at, svg.find('"', at) - at));
  std::vector<std::pair<double, double>> out;
  double x = 0, y = 0;
  char comma = 0;
  while (in >> x >> comma >> y) out.emplace_back(x, y);
  return out;
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

TEST_CASE("line charts on log axes: decade ticks, a power law is a straight line") {
  LineChart chart{.title = "t", .x_label = "n", .y_label = "ms", .log_x = true, .log_y = true};
  // y = n^2 over n = 10..1000, and a non-positive value, which a log axis leaves out.
  chart.series.push_back({"square", {10, 100, 1000, 0}, {100.0, 1e4, 1e6, 5.0}});
  const std::string svg = svg_line_charts({chart});
  CHECK(svg.find(">100</text>") != std::string::npos);
  CHECK(svg.find(">1000</text>") != std::string::npos);
  CHECK(svg.find(">1e+06</text>") != std::string::npos);
  CHECK(svg.find(">200</text>") != std::string::npos);  // 2 x a power of ten, within 4 decades
  const auto points = first_polyline(svg);
  REQUIRE(points.size() == 3);
  // Equal steps in log n give equal steps on both axes: collinear points.
  CHECK(points[1].first - points[0].first == doctest::Approx(points[2].first - points[1].first));
  CHECK(points[1].second - points[0].second ==
        doctest::Approx(points[2].second - points[1].second));
  // On linear axes the same curve is not straight.
  chart.log_x = chart.log_y = false;
  const auto linear = first_polyline(svg_line_charts({chart}));
  REQUIRE(linear.size() == 4);
  CHECK(linear[1].first - linear[0].first != doctest::Approx(linear[2].first - linear[1].first));
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
