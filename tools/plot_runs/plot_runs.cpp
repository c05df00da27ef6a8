// ember-plot-runs: the curves of several training runs in one SVG, one series per run, for
// comparing runs that differ in one setting (docs/results/bf16-m30k: fp32 against bf16).
//   ember-plot-runs OUT.svg NAME=RUN/metrics.csv [NAME=RUN/metrics.csv ...]
// Three charts against the update: validation loss, training loss, and the first validation
// score (BLEU for a translation run). Reads each metrics.csv as a resumed run does
// (seq2seq/train/metrics_log.h) and draws with seq2seq/report/svg_plot.h.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/seq2seq/report/svg_plot.h"
#include "ember/seq2seq/train/metrics_log.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The score names of a metrics.csv: its header's valid_<name> columns after valid_loss.
std::vector<std::string> score_names(const std::string& path) {
  std::ifstream in(path);
  std::string header;
  EMBER_CHECK(in && std::getline(in, header), "[plot_runs] cannot read {}", path);
  std::vector<std::string> names;
  const std::string fixed = "step,epoch,loss,lr,tokens_per_s,valid_loss";
  EMBER_CHECK(header.rfind(fixed, 0) == 0, "[plot_runs] {}: not a metrics.csv (header '{}')", path,
              header);
  for (size_t at = fixed.size(); at < header.size();) {
    const size_t end = std::min(header.find(',', at + 1), header.size());
    const std::string column = header.substr(at + 1, end - at - 1);  // after the comma
    EMBER_CHECK(column.rfind("valid_", 0) == 0, "[plot_runs] {}: unexpected column '{}'", path,
                column);
    names.push_back(column.substr(6));
    at = end;
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) try {
  EMBER_CHECK(argc >= 3, "usage: ember-plot-runs OUT.svg NAME=RUN/metrics.csv [NAME=...]");
  LineChart valid{
      .title = "validation loss", .x_label = "update", .y_label = "cross-entropy per token"};
  LineChart train{
      .title = "training loss", .x_label = "update", .y_label = "cross-entropy per token"};
  LineChart score{.title = "validation score", .x_label = "update", .y_label = "score"};
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    EMBER_CHECK(eq != std::string::npos && eq > 0, "[plot_runs] expected NAME=FILE, got '{}'", arg);
    const std::string name = arg.substr(0, eq), path = arg.substr(eq + 1);
    MetricsLog log(score_names(path));
    for (const std::string& problem : log.load(path, std::numeric_limits<int64_t>::max()))
      std::cerr << "ember-plot-runs: " << problem << "\n";
    Series v{name, {}, {}}, t{name, {}, {}}, s{name, {}, {}};
    for (const MetricsRow& row : log.rows()) {
      const double x = static_cast<double>(row.step);
      v.x.push_back(x), v.y.push_back(row.valid_loss);  // NaN (no evaluation) is left out
      t.x.push_back(x), t.y.push_back(row.loss);
      s.x.push_back(x), s.y.push_back(row.scores.empty() ? kNaN : row.scores[0]);
    }
    if (!log.score_names().empty()) score.y_label = log.score_names()[0];
    valid.series.push_back(std::move(v));
    train.series.push_back(std::move(t));
    score.series.push_back(std::move(s));
  }
  core::write_file_atomic(argv[1], svg_line_charts({valid, train, score}), "[plot_runs]");
  return 0;
} catch (const Error& e) {
  std::cerr << "ember-plot-runs: " << e.what() << "\n";
  return 2;
}
