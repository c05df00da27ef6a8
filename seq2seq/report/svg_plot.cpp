// SVG line charts and heatmaps: plain string building, one <g> per chart.
#include "ember/seq2seq/report/svg_plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "ember/core/error.h"

namespace ember::seq2seq {
namespace {

constexpr std::array<const char*, 8> kColours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr int kLeft = 70, kRight = 20, kTop = 32, kBottom = 46;

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  bool empty() const { return !(lo <= hi); }
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  // A range of positive width around a single value.
  void widen() {
    if (hi > lo) return;
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
};

// 1, 2 or 5 times a power of ten, near span / 5.
double nice_step(double span) {
  const double raw = span / 5.0;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / power;
  return power * (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0);
}

std::vector<double> ticks(const Range& r) {
  const double step = nice_step(r.hi - r.lo);
  std::vector<double> out;
  for (double v = std::ceil(r.lo / step) * step; v <= r.hi + step * 1e-9; v += step) {
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return out;
}

// Ticks of a log10 axis whose range r is in decades: 1, 2 and 5 times each power of ten, or the
// powers alone when the axis spans more than four decades (values in decades, as r).
std::vector<double> log_ticks(const Range& r) {
  const bool all = r.hi - r.lo <= 4.0;
  std::vector<double> out;
  for (double decade = std::floor(r.lo); decade <= r.hi; decade += 1.0) {
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && !all) continue;
      const double v = decade + std::log10(m);
      if (v >= r.lo - 1e-9 && v <= r.hi + 1e-9) out.push_back(v);
    }
  }
  return out;
}

std::string text(double x, double y, const std::string& s, const char* anchor, int size = 12,
                 const std::string& extra = "") {
  return fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", x, y,
      size, anchor, extra, xml_escape(s));
}

// The axes, ticks and grid of one chart whose plot area is (x0, y0) .. (x1, y1).
// On a log axis the ranges hold log10 of the values; tx/ty map a value to its axis coordinate
// (NaN for a value a log axis cannot show, which is then left out like any non-finite point).
struct Frame {
  double x0, y0, x1, y1;
  Range xr, yr;
  bool log_x = false, log_y = false;
  static double axis(double v, bool log) {
    return !log ? v : v > 0.0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
  }
  double tx(double x) const { return axis(x, log_x); }
  double ty(double y) const { return axis(y, log_y); }
  double px(double t) const { return x0 + (t - xr.lo) / (xr.hi - xr.lo) * (x1 - x0); }
  double py(double t) const { return y1 - (t - yr.lo) / (yr.hi - yr.lo) * (y1 - y0); }
};

// A tick's label: the value itself, 10^t on a log axis.
std::string tick_label(double t, bool log, const char* format) {
  return fmt::format(fmt::runtime(format), log ? std::pow(10.0, t) : t);
}

std::string axes(const Frame& f, const LineChart& chart) {
  std::string s = fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
      "stroke=\"#444\"/>\n",
      f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0);
  for (double v : f.log_x ? log_ticks(f.xr) : ticks(f.xr)) {
    s += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
        "stroke=\"#ddd\"/>\n",
        f.px(v), f.y0, f.y1);
    s += text(f.px(v), f.y1 + 16, tick_label(v, f.log_x, "{:g}"), "middle", 11);
  }
  for (double v : f.log_y ? log_ticks(f.yr) : ticks(f.yr)) {
    s += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" "
        "stroke=\"#ddd\"/>\n",
        f.x0, f.py(v), f.x1);
    s += text(f.x0 - 6, f.py(v) + 4, tick_label(v, f.log_y, "{:.4g}"), "end", 11);
  }
  s += text((f.x0 + f.x1) / 2, f.y0 - 12, chart.title, "middle", 14, " font-weight=\"bold\"");
  s += text((f.x0 + f.x1) / 2, f.y1 + 36, chart.x_label, "middle");
  const double ym = (f.y0 + f.y1) / 2;
  s += text(18, ym, chart.y_label, "middle", 12,
            fmt::format(" transform=\"rotate(-90 18 {:.1f})\"", ym));
  return s;
}

std::string series_path(const Frame& f, const Series& series, const char* colour) {
  std::string points;
  int n = 0;
  double last_x = 0.0, last_y = 0.0;
  for (size_t i = 0; i < series.x.size(); ++i) {
    const double tx = f.tx(series.x[i]), ty = f.ty(series.y[i]);
    if (!std::isfinite(tx) || !std::isfinite(ty)) continue;
    last_x = f.px(tx);
    last_y = f.py(ty);
    points += fmt::format("{}{:.1f},{:.1f}", n++ ? " " : "", last_x, last_y);
  }
  if (n == 1) {  // a lone point shows as a dot
    return fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", last_x,
                       last_y, colour);
  }
  return fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" points=\"{}\"/>\n",
                     colour, points);
}

std::string chart_svg(const LineChart& chart, double top, int width, int height) {
  Frame f{kLeft, top + kTop, static_cast<double>(width - kRight), top + height - kBottom,
          {},    {},         chart.log_x,                          chart.log_y};
  for (const Series& series : chart.series) {
    EMBER_CHECK(series.x.size() == series.y.size(),
                "[svg_plot] series '{}' of chart '{}' has {} x values and {} y values", series.name,
                chart.title, series.x.size(), series.y.size());
    for (size_t i = 0; i < series.x.size(); ++i) {
      const double tx = f.tx(series.x[i]), ty = f.ty(series.y[i]);
      if (!std::isfinite(tx) || !std::isfinite(ty)) continue;
      f.xr.add(tx);
      f.yr.add(ty);
    }
  }
  if (f.xr.empty()) {
    f.xr = {0.0, 1.0};
    f.yr = {0.0, 1.0};
    return axes(f, chart) + text((f.x0 + f.x1) / 2, (f.y0 + f.y1) / 2, "no data yet", "middle", 12,
                                 " fill=\"#888\"");
  }
  f.xr.widen();
  f.yr.widen();
  std::string s = axes(f, chart);
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const char* colour = kColours[k % kColours.size()];
    s += series_path(f, chart.series[k], colour);
    const double ly = f.y0 + 14 + 16 * static_cast<double>(k);
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"2\"/>\n",
        f.x1 - 120, ly - 4, f.x1 - 100, ly - 4, colour);
    s += text(f.x1 - 94, ly, chart.series[k].name, "start", 11);
  }
  return s;
}

std::string document(int width, int height, const std::string& body) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{2}</svg>\n",
      width, height, body);
}

// White (0) to dark blue (1).
std::string cell_colour(float w) {
  const float v = std::clamp(w, 0.0f, 1.0f);
  const auto mix = [v](int from, int to) {
    return static_cast<int>(std::lround(from + (to - from) * v));
  };
  return fmt::format("rgb({},{},{})", mix(255, 8), mix(255, 48), mix(255, 107));
}

size_t longest(const std::vector<std::string>& labels) {
  size_t n = 1;
  for (const std::string& l : labels) n = std::max(n, l.size());
  return n;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string svg_line_charts(const std::vector<LineChart>& charts, int width, int height) {
  EMBER_CHECK(width >= 200 && height >= 120,
              "[svg_plot] chart size {} x {} is too small (at least 200 x 120)", width, height);
  std::string body;
  for (size_t i = 0; i < charts.size(); ++i) {
    body += chart_svg(charts[i], static_cast<double>(i) * height, width, height);
  }
  return document(width, height * static_cast<int>(std::max<size_t>(charts.size(), 1)), body);
}

std::string svg_heatmap(const Heatmap& heatmap) {
  const core::NDArray& v = heatmap.values;
  EMBER_CHECK(v.defined() && v.dim() == 2 && v.numel() > 0,
              "[svg_plot] heatmap '{}' needs a non-empty (R, C) matrix, got {}", heatmap.title,
              v.defined() ? core::shape_str(v.shape()) : std::string("an undefined array"));
  const int64_t rows = v.size(0), cols = v.size(1);
  EMBER_CHECK(static_cast<int64_t>(heatmap.row_labels.size()) == rows &&
                  static_cast<int64_t>(heatmap.column_labels.size()) == cols,
              "[svg_plot] heatmap '{}' of {} has {} row and {} column labels", heatmap.title,
              core::shape_str(v.shape()), heatmap.row_labels.size(), heatmap.column_labels.size());
  constexpr int kCell = 22;
  const int left = 16 + 7 * static_cast<int>(longest(heatmap.row_labels));
  const int top = 44 + 7 * static_cast<int>(longest(heatmap.column_labels));
  const int width = std::max(left + kCell * static_cast<int>(cols) + 20, 240);
  const int height = top + kCell * static_cast<int>(rows) + 20;
  const std::vector<float> w = v.contiguous().to_vector();
  std::string body = text(width / 2.0, 22, heatmap.title, "middle", 14, " font-weight=\"bold\"");
  for (int64_t c = 0; c < cols; ++c) {
    const double x = left + kCell * (c + 0.5) + 4, y = top - 6;
    body += text(x, y, heatmap.column_labels[c], "start", 12,
                 fmt::format(" transform=\"rotate(-90 {:.1f} {:.1f})\"", x, y));
  }
  for (int64_t r = 0; r < rows; ++r) {
    const double y = top + kCell * static_cast<double>(r);
    body += text(left - 6, y + kCell * 0.7, heatmap.row_labels[r], "end");
    for (int64_t c = 0; c < cols; ++c) {
      const float weight = w[r * cols + c];
      body += fmt::format("<rect x=\"{}\" y=\"{:.0f}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                          left + kCell * c, y, kCell, kCell, cell_colour(weight));
      if (weight >= 0.5f) {
        body += text(left + kCell * (c + 0.5), y + kCell * 0.65, fmt::format("{:.2f}", weight),
                     "middle", 7, " fill=\"white\"");
      }
    }
  }
  return document(width, height, body);
}

}  // namespace ember::seq2seq
