// probe.csv read back, and the mean ± std tables over several probes.
#include "ember/seq2seq/lab/probe_aggregate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/report/svg_plot.h"
#include "ember/seq2seq/train/parse_number.h"

namespace ember::seq2seq::lab {
namespace {

constexpr const char* kHeader = "task,model,bucket,first,last,count,exact,tokens,contrastive";
// probe.csv before the agreement task added its column.
constexpr const char* kHeaderWithoutContrastive = "task,model,bucket,first,last,count,exact,tokens";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string cell(const MeanStd& m) {
  return std::isnan(m.mean) ? "" : fmt::format("{:.2f} ± {:.2f}", m.mean, m.std);
}

std::string table_row(const std::vector<std::string>& cells) {
  return fmt::format("| {} |\n", fmt::join(cells, " | "));
}

using Measure = MeanStd ProbeSummary::*;

// The distinct values of a field in the order of first appearance, among the summaries `keep`
// accepts.
template <class Keep>
std::vector<std::string> distinct(const std::vector<ProbeSummary>& table,
                                  std::string ProbeSummary::*field, Keep keep) {
  std::vector<std::string> out;
  for (const ProbeSummary& s : table) {
    if (keep(s) && std::find(out.begin(), out.end(), s.*field) == out.end()) {
      out.push_back(s.*field);
    }
  }
  return out;
}

// For each task a table: rows its models, columns its buckets, for one measure.
std::string measure_table(const std::vector<ProbeSummary>& table, Measure measure) {
  std::string out;
  const auto all = [](const ProbeSummary&) { return true; };
  for (const std::string& task : distinct(table, &ProbeSummary::task, all)) {
    const auto of_task = [&](const ProbeSummary& s) { return s.task == task; };
    const std::vector<std::string> buckets = distinct(table, &ProbeSummary::bucket, of_task);
    std::vector<std::string> head = {"task", "model"};
    head.insert(head.end(), buckets.begin(), buckets.end());
    head.push_back("runs");
    std::vector<std::string> rule(head.size(), "---:");
    rule[0] = rule[1] = "---";
    out += (out.empty() ? "" : "\n") + table_row(head) + table_row(rule);
    for (const std::string& model : distinct(table, &ProbeSummary::model, of_task)) {
      std::vector<std::string> cells = {task, model};
      int64_t runs = 0;
      for (const std::string& bucket : buckets) {
        const auto it = std::find_if(table.begin(), table.end(), [&](const ProbeSummary& t) {
          return t.task == task && t.model == model && t.bucket == bucket;
        });
        cells.push_back(it == table.end() ? "" : cell((*it).*measure));
        if (it != table.end()) runs = std::max(runs, it->runs);
      }
      cells.push_back(std::to_string(runs));
      out += table_row(cells);
    }
  }
  return out;
}

std::string figure(const std::vector<ProbeSummary>& table) {
  std::vector<LineChart> charts;
  for (const auto& [measure, name] :
       {std::pair<Measure, const char*>{&ProbeSummary::contrastive, "contrastive"},
        std::pair<Measure, const char*>{&ProbeSummary::exact, "exact match"}}) {
    for (const std::string& task :
         distinct(table, &ProbeSummary::task, [](const ProbeSummary&) { return true; })) {
      LineChart chart{.title = fmt::format("{}: {}, mean over the runs", task, name),
                      .x_label = "bucket (middle)",
                      .y_label = name};
      for (const ProbeSummary& s : table) {
        if (s.task != task || std::isnan((s.*measure).mean)) continue;
        auto series = std::find_if(chart.series.begin(), chart.series.end(),
                                   [&](const Series& c) { return c.name == s.model; });
        if (series == chart.series.end()) {
          chart.series.push_back({s.model, {}, {}});
          series = chart.series.end() - 1;
        }
        series->x.push_back(0.5 * static_cast<double>(s.first + s.last));
        series->y.push_back((s.*measure).mean);
      }
      if (!chart.series.empty()) charts.push_back(std::move(chart));
    }
  }
  return svg_line_charts(charts, 720, 300);
}

}  // namespace

std::vector<ProbeCsvRow> parse_probe_csv(const std::string& text, const std::string& name) {
  const std::vector<std::string> lines = split_lines(text, name);
  EMBER_CHECK(!lines.empty() && (lines.front() == kHeader || lines.front() == kHeaderWithoutContrastive),
              "[probe_aggregate] {} line 1: expected the header '{}' of a probe.csv", name,
              kHeader);
  const size_t columns = lines.front() == kHeader ? 9 : 8;
  std::vector<ProbeCsvRow> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string where = fmt::format("[probe_aggregate] {} line {}", name, i + 1);
    const std::vector<std::string> f = split_fields(lines[i], ',');
    EMBER_CHECK(f.size() == columns, "{}: expected {} fields, got {}", where, columns, f.size());
    const auto count = [&](const std::string& field, const char* what) {
      const int64_t v = parse_int(field, where + ": " + what);
      EMBER_CHECK(v >= 0, "{}: {} must be >= 0, got {}", where, what, v);
      return v;
    };
    const auto share = [&](const std::string& field, const char* what) {
      const double v = parse_number(field, where + ": " + what);
      EMBER_CHECK(v >= 0.0 && v <= 1.0, "{}: {} must be in [0, 1], got {}", where, what, field);
      return v;
    };
    ProbeCsvRow row{.task = f[0], .model = f[1], .bucket = f[2]};
    EMBER_CHECK(!row.task.empty() && !row.model.empty() && !row.bucket.empty(),
                "{}: empty task, model or bucket", where);
    row.first = count(f[3], "first");
    row.last = count(f[4], "last");
    EMBER_CHECK(row.first <= row.last, "{}: first {} is past last {}", where, row.first,
                row.last);
    row.count = count(f[5], "count");
    row.exact = share(f[6], "exact");
    row.tokens = share(f[7], "tokens");
    row.contrastive = columns == 8 || f[8].empty() ? kNaN : share(f[8], "contrastive");
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ProbeSummary> aggregate_probe_rows(const std::vector<std::vector<ProbeCsvRow>>& runs) {
  struct Values {
    std::vector<double> exact, tokens, contrastive;
  };
  std::vector<ProbeSummary> table;
  std::vector<Values> values;
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<size_t> seen;
    for (const ProbeCsvRow& row : runs[r]) {
      const auto it = std::find_if(table.begin(), table.end(), [&](const ProbeSummary& s) {
        return s.task == row.task && s.model == row.model && s.bucket == row.bucket;
      });
      const size_t k = static_cast<size_t>(it - table.begin());
      EMBER_CHECK(std::find(seen.begin(), seen.end(), k) == seen.end() || it == table.end(),
                  "[probe_aggregate] run {} holds {} / {} / bucket {} twice", r + 1, row.task,
                  row.model, row.bucket);
      if (it == table.end()) {
        ProbeSummary summary;
        summary.task = row.task;
        summary.model = row.model;
        summary.bucket = row.bucket;
        summary.first = row.first;
        summary.last = row.last;
        table.push_back(std::move(summary));
        values.emplace_back();
      }
      seen.push_back(k);
      table[k].runs += 1;
      values[k].exact.push_back(row.exact);
      values[k].tokens.push_back(row.tokens);
      if (!std::isnan(row.contrastive)) values[k].contrastive.push_back(row.contrastive);
    }
  }
  for (size_t k = 0; k < table.size(); ++k) {
    table[k].exact = mean_std(values[k].exact);
    table[k].tokens = mean_std(values[k].tokens);
    table[k].contrastive = mean_std(values[k].contrastive);
  }
  return table;
}

void write_probe_aggregate(const std::vector<ProbeSummary>& table,
                           const std::vector<std::string>& probe_dirs, const std::string& dir,
                           const std::string& command) {
  std::string md = "# Probes aggregated: mean ± standard deviation over runs\n\n";
  md += fmt::format("Command: `{}`\n\nThe probes: {}. Each cell is the mean ± the sample standard "
                    "deviation over the runs that hold it (the last column says how many).\n\n",
                    command, fmt::join(probe_dirs, ", "));
  md += "![means against the bucket](aggregate.svg)\n\n";
  const bool contrastive = std::any_of(table.begin(), table.end(), [](const ProbeSummary& s) {
    return !std::isnan(s.contrastive.mean);
  });
  if (contrastive) {
    md += "## Contrastive: the right form preferred\n\n" +
          measure_table(table, &ProbeSummary::contrastive) + "\n";
  }
  md += "## Exact match\n\n" + measure_table(table, &ProbeSummary::exact) + "\n";
  md += "## Token accuracy\n\n" + measure_table(table, &ProbeSummary::tokens);
  std::string csv =
      "task,model,bucket,first,last,runs,exact_mean,exact_std,tokens_mean,tokens_std,"
      "contrastive_mean,contrastive_std\n";
  for (const ProbeSummary& s : table) {
    const auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.6f}", v); };
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", s.task, s.model, s.bucket, s.first,
                       s.last, s.runs, num(s.exact.mean), num(s.exact.std), num(s.tokens.mean),
                       num(s.tokens.std), num(s.contrastive.mean), num(s.contrastive.std));
  }
  std::filesystem::create_directories(dir);
  core::write_file_atomic(dir + "/aggregate.md", md, "[probe_aggregate]");
  core::write_file_atomic(dir + "/aggregate.csv", csv, "[probe_aggregate]");
  core::write_file_atomic(dir + "/aggregate.svg", figure(table), "[probe_aggregate]");
}

}  // namespace ember::seq2seq::lab
