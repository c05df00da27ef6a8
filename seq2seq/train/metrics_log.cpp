// metrics.csv rows: formatting, reading back on resume, and the curves.
#include "ember/seq2seq/train/metrics_log.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/seq2seq/report/svg_plot.h"
#include "ember/seq2seq/train/parse_number.h"

namespace ember::seq2seq {
namespace {

constexpr int kFixedColumns = 6;  // step, epoch, loss, lr, tokens_per_s, valid_loss

std::string field(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

double read_field(const std::string& text, const std::string& where) {
  return text.empty() ? std::numeric_limits<double>::quiet_NaN() : parse_number(text, where);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

void append_point(Series& series, double x, double y) {
  if (!std::isfinite(y)) return;
  series.x.push_back(x);
  series.y.push_back(y);
}

}  // namespace

MetricsLog::MetricsLog(std::vector<std::string> score_names)
    : score_names_(std::move(score_names)) {}

std::string MetricsLog::header() const {
  std::string h = "step,epoch,loss,lr,tokens_per_s,valid_loss";
  for (const std::string& name : score_names_) {
    h += ",valid_";
    h += name;
  }
  return h;
}

std::string MetricsLog::line(const MetricsRow& row) const {
  std::string s = fmt::format("{},{},{},{},{},{}", row.step, row.epoch, field(row.loss),
                              field(row.lr), field(row.tokens_per_s), field(row.valid_loss));
  for (double v : row.scores) {
    s += ',';
    s += field(v);
  }
  return s;
}

void MetricsLog::add(MetricsRow row) {
  EMBER_CHECK(row.scores.size() == score_names_.size(),
              "[metrics_log] a row with {} scores for {} score names", row.scores.size(),
              score_names_.size());
  rows_.push_back(std::move(row));
}

std::vector<std::string> MetricsLog::load(const std::string& path, int64_t max_step) {
  std::ifstream in(path);
  EMBER_CHECK(in.good(), "[metrics_log] cannot read {}", path);
  std::vector<std::string> dropped;
  std::string text;
  std::getline(in, text);
  const bool ours = text == header();
  if (!ours)
    dropped.push_back(fmt::format("{} has the columns '{}', expected '{}': every row dropped",
                                  path, text, header()));
  std::vector<MetricsRow> rows;
  for (int64_t number = 2; std::getline(in, text); ++number) {
    if (text.empty() || !ours) continue;
    const std::string where = fmt::format("{} line {}", path, number);
    try {
      MetricsRow row = parse_row(text, where);
      if (row.step <= max_step) rows.push_back(std::move(row));
    } catch (const Error& e) {
      dropped.push_back(e.what());
    }
  }
  rows_ = std::move(rows);
  return dropped;
}

MetricsRow MetricsLog::parse_row(const std::string& text, const std::string& where) const {
  const std::vector<std::string> f = split_csv(text);
  EMBER_CHECK(f.size() == kFixedColumns + score_names_.size(),
              "[metrics_log] {} has {} fields, expected {}", where, f.size(),
              kFixedColumns + score_names_.size());
  MetricsRow row{parse_int(f[0], where),
                 parse_int(f[1], where),
                 read_field(f[2], where),
                 read_field(f[3], where),
                 read_field(f[4], where),
                 read_field(f[5], where),
                 {}};
  for (size_t k = 0; k < score_names_.size(); ++k) {
    row.scores.push_back(read_field(f[kFixedColumns + k], where));
  }
  return row;
}

void MetricsLog::write(const std::string& path) const {
  std::string text = header() + '\n';
  for (const MetricsRow& row : rows_) text += line(row) + '\n';
  core::write_file_atomic(path, text, "[metrics_log]");
}

void MetricsLog::append(const std::string& path, const MetricsRow& row) const {
  std::error_code ec;
  const bool fresh =
      !std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0;
  std::ofstream out(path, std::ios::app);
  if (fresh) out << header() << '\n';
  out << line(row) << '\n';
  out.flush();
  EMBER_CHECK(out.good(), "[metrics_log] cannot write {}", path);
}

std::string MetricsLog::curves_svg() const {
  LineChart loss{.title = "loss", .x_label = "update", .y_label = "cross-entropy per token"};
  loss.series = {{"train", {}, {}}, {"valid", {}, {}}};
  LineChart scores{.title = "validation scores", .x_label = "update", .y_label = "score"};
  for (const std::string& name : score_names_) scores.series.push_back({name, {}, {}});
  for (const MetricsRow& row : rows_) {
    const double x = static_cast<double>(row.step);
    append_point(loss.series[0], x, row.loss);
    append_point(loss.series[1], x, row.valid_loss);
    for (size_t k = 0; k < row.scores.size(); ++k) append_point(scores.series[k], x, row.scores[k]);
  }
  return svg_line_charts({loss, scores});
}

}  // namespace ember::seq2seq
