// cost.md, cost.svg and cost.csv from the measured points.
#include "ember/seq2seq/lab/layer_cost_report.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include "ember/core/atomic_file.h"
#include "ember/core/threads.h"
#include "ember/seq2seq/report/svg_plot.h"

namespace ember::seq2seq::lab {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// The layers in the order they were measured.
std::vector<MixingLayer> layers_of(const std::vector<LayerCostPoint>& points) {
  std::vector<MixingLayer> out;
  for (const LayerCostPoint& p : points) {
    if (std::find(out.begin(), out.end(), p.layer) == out.end()) out.push_back(p.layer);
  }
  return out;
}

std::vector<int64_t> lengths_of(const std::vector<LayerCostPoint>& points) {
  std::vector<int64_t> out;
  for (const LayerCostPoint& p : points) {
    if (std::find(out.begin(), out.end(), p.length) == out.end()) out.push_back(p.length);
  }
  std::sort(out.begin(), out.end());
  return out;
}

const LayerCostPoint* find_point(const std::vector<LayerCostPoint>& points, MixingLayer layer,
                                 int64_t n) {
  for (const LayerCostPoint& p : points) {
    if (p.layer == layer && p.length == n) return &p;
  }
  return nullptr;
}

std::string table_row(const std::vector<std::string>& cells) {
  return fmt::format("| {} |\n", fmt::join(cells, " | "));
}

// The complexity columns of Table 1 with ember's constants, for d = width and k = kernel.
std::string complexity_table(const LayerCostOptions& o) {
  return fmt::format(
      "| layer | FLOPs per layer (forward) | sequential operations | maximum path length |\n"
      "|---|---|---|---|\n"
      "| lstm | 16 B n d² — O(n·d²) | O(n) | O(n) |\n"
      "| conv (k = {0}) | {1} B n d² — O(k·n·d²) | O(1) | O(n/k) |\n"
      "| attention ({2} heads) | 8 B n d² + 4 B n² d — O(n²·d) | O(1) | O(1) |\n",
      o.kernel, 2 * o.kernel, o.heads);
}

std::string measured_table(const LayerCostRun& run) {
  const std::vector<LayerCostPoint>& points = run.points;
  const double sgemm = run.sgemm_gflops();
  const std::vector<MixingLayer> layers = layers_of(points);
  std::vector<std::string> head = {"n"};
  for (const char* what : {"ms", "MiB", "of sgemm"}) {
    for (MixingLayer layer : layers) head.push_back(fmt::format("{} {}", mixing_layer_name(layer), what));
  }
  std::string out = table_row(head);
  std::vector<std::string> rule(head.size(), "---:");
  out += table_row(rule);
  for (int64_t n : lengths_of(points)) {
    std::vector<std::string> cells = {std::to_string(n)};
    const auto each = [&](auto value) {
      for (MixingLayer layer : layers) {
        const LayerCostPoint* p = find_point(points, layer, n);
        cells.push_back(p ? value(*p) : "");
      }
    };
    each([](const LayerCostPoint& p) { return fmt::format("{:.2f}", p.median_seconds * 1e3); });
    each([](const LayerCostPoint& p) {
      return fmt::format("{:.1f}", static_cast<double>(p.peak_bytes) / kMiB);
    });
    each([&](const LayerCostPoint& p) {
      return fmt::format("{:.0f}%", 100.0 * p.gflops_per_second / sgemm);
    });
    out += table_row(cells);
  }
  return out;
}

}  // namespace

double time_exponent(const std::vector<LayerCostPoint>& points, MixingLayer layer) {
  const LayerCostPoint* last = nullptr;
  const LayerCostPoint* before = nullptr;
  for (const LayerCostPoint& p : points) {
    if (p.layer != layer) continue;
    if (last == nullptr || p.length > last->length) {
      before = last;
      last = &p;
    } else if (before == nullptr || p.length > before->length) {
      before = &p;
    }
  }
  if (before == nullptr) return std::numeric_limits<double>::quiet_NaN();
  return std::log(last->median_seconds / before->median_seconds) /
         std::log(static_cast<double>(last->length) / static_cast<double>(before->length));
}

std::vector<std::string> layer_cost_findings(const LayerCostRun& run) {
  const std::vector<LayerCostPoint>& points = run.points;
  const LayerCostOptions& options = run.options;
  std::vector<std::string> out;
  const std::vector<MixingLayer> layers = layers_of(points);
  const std::vector<int64_t> lengths = lengths_of(points);
  const std::vector<Crossover> measured = crossovers(points);
  for (size_t i = 0; i < layers.size(); ++i) {
    for (size_t j = i + 1; j < layers.size(); ++j) {
      const char* a = mixing_layer_name(layers[i]);
      const char* b = mixing_layer_name(layers[j]);
      std::string line;
      const auto m = std::find_if(measured.begin(), measured.end(), [&](const Crossover& c) {
        return (c.cheaper_below == layers[i] && c.cheaper_above == layers[j]) ||
               (c.cheaper_below == layers[j] && c.cheaper_above == layers[i]);
      });
      if (m != measured.end()) {
        line = fmt::format("{} is faster than {} below n ≈ {:.0f} and slower above it", 
                           mixing_layer_name(m->cheaper_below), mixing_layer_name(m->cheaper_above),
                           m->length);
      } else {
        const LayerCostPoint* pa = find_point(points, layers[i], lengths.back());
        const LayerCostPoint* pb = find_point(points, layers[j], lengths.back());
        const bool a_faster = pa && pb && pa->median_seconds < pb->median_seconds;
        line = fmt::format("{} is faster than {} at every length measured ({} to {})",
                           a_faster ? a : b, a_faster ? b : a, lengths.front(), lengths.back());
      }
      const std::optional<double> f = flops_crossover(layers[i], layers[j], options);
      line += f ? fmt::format("; their FLOPs are equal at n = {:.0f}.", *f)
                : fmt::format("; by FLOPs {} costs less at every length.",
                              forward_flops(layers[i], 1, options) <
                                      forward_flops(layers[j], 1, options)
                                  ? a
                                  : b);
      out.push_back(line);
    }
  }
  for (MixingLayer layer : layers) {
    double best = 0.0;
    int64_t at = 0;
    for (const LayerCostPoint& p : points) {
      if (p.layer == layer && p.gflops_per_second > best) {
        best = p.gflops_per_second;
        at = p.length;
      }
    }
    const LayerCostPoint* last = find_point(points, layer, lengths.back());
    out.push_back(fmt::format(
        "{}: time grows as n^{:.2f} between the two longest lengths; at most {:.0f}% of the sgemm "
        "rate (n = {}); {:.1f} MiB at n = {}.",
        mixing_layer_name(layer), time_exponent(points, layer),
        100.0 * best / run.sgemm_gflops(), at,
        last ? static_cast<double>(last->peak_bytes) / kMiB : 0.0, lengths.back()));
  }
  return out;
}

std::string layer_cost_markdown(const LayerCostRun& run) {
  const LayerCostOptions& o = run.options;
  std::string md = "# The cost of mixing positions: recurrence, convolution, self-attention\n\n";
  md += fmt::format(
      "One layer of each kind at width d = {}, batch B = {}, forward and backward of the sum of "
      "its output, {} timed passes per point after {} warm-up (the median is shown; the layers "
      "take turns pass by pass), {} thread(s). The machine's sgemm rate (1024 x 1024 products "
      "through ember's matmul) was {:.1f} GFLOP/s before the layers and {:.1f} after; rates "
      "below are fractions of their mean.\n\n    {}\n\n",
      o.width, o.batch, o.repeats, o.warmup, core::num_threads(), run.sgemm_gflops_before,
      run.sgemm_gflops_after, run.command);
  md += "## Findings\n\n";
  for (const std::string& line : layer_cost_findings(run)) md += "- " + line + "\n";
  md += "\n## What theory predicts (Vaswani et al. 2017, Table 1, with ember's constants)\n\n";
  md += complexity_table(o);
  md += "\nBackward costs twice the forward (the input and the weight gradient of every "
        "product), so a pass is 3 x the forward FLOPs.\n\n";
  md += "## Measured\n\n![time, memory and throughput against n](cost.svg)\n\n";
  md += "ms: one forward + backward of the batch; MiB: the most memory the pass held beyond "
        "its input and parameters (allocator peak); of sgemm: the FLOPs above over the time, as a "
        "share of the sgemm rate.\n\n";
  md += measured_table(run);
  return md;
}

std::string layer_cost_figure(const LayerCostRun& run) {
  const std::vector<LayerCostPoint>& points = run.points;
  LineChart time{.title = "one forward + backward",
                 .x_label = "sequence length n",
                 .y_label = "ms",
                 .log_x = true,
                 .log_y = true};
  LineChart memory{.title = "memory held by the pass",
                   .x_label = "sequence length n",
                   .y_label = "MiB",
                   .log_x = true,
                   .log_y = true};
  LineChart rate{.title = "throughput, as a share of the sgemm rate",
                 .x_label = "sequence length n",
                 .y_label = "of sgemm",
                 .log_x = true};
  for (MixingLayer layer : layers_of(points)) {
    Series t{mixing_layer_name(layer), {}, {}}, m = t, r = t;
    for (const LayerCostPoint& p : points) {
      if (p.layer != layer) continue;
      const double n = static_cast<double>(p.length);
      t.x.push_back(n);
      t.y.push_back(p.median_seconds * 1e3);
      m.x.push_back(n);
      m.y.push_back(static_cast<double>(p.peak_bytes) / kMiB);
      r.x.push_back(n);
      r.y.push_back(p.gflops_per_second / run.sgemm_gflops());
    }
    time.series.push_back(std::move(t));
    memory.series.push_back(std::move(m));
    rate.series.push_back(std::move(r));
  }
  return svg_line_charts({time, memory, rate});
}

std::string layer_cost_csv(const LayerCostRun& run) {
  const LayerCostOptions& o = run.options;
  std::string csv =
      "layer,length,width,batch,median_s,min_s,gflop,gflops_per_s,sgemm_gflops_per_s,peak_bytes,"
      "sequential_operations,maximum_path_length\n";
  for (const LayerCostPoint& p : run.points) {
    csv += fmt::format("{},{},{},{},{:.6g},{:.6g},{:.6g},{:.4g},{:.4g},{},{},{}\n",
                       mixing_layer_name(p.layer), p.length, o.width, o.batch, p.median_seconds,
                       p.min_seconds, p.flops * 1e-9, p.gflops_per_second, run.sgemm_gflops(),
                       p.peak_bytes, sequential_operations(p.layer, p.length),
                       maximum_path_length(p.layer, p.length, o.kernel));
  }
  return csv;
}

void write_layer_cost_report(const LayerCostRun& run, const std::string& dir) {
  std::filesystem::create_directories(dir);
  core::write_file_atomic(dir + "/cost.md", layer_cost_markdown(run), "[cost]");
  core::write_file_atomic(dir + "/cost.svg", layer_cost_figure(run), "[cost]");
  core::write_file_atomic(dir + "/cost.csv", layer_cost_csv(run), "[cost]");
}

}  // namespace ember::seq2seq::lab
