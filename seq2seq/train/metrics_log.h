// MetricsLog: the rows of a run's metrics.csv and the curves.svg drawn from them.
//
//   step,epoch,loss,lr,tokens_per_s,valid_loss,valid_bleu,valid_chrf
//   100,1,5.2173,0.0005,10234.5,,,
//   200,1,4.0121,0.0005,10311.0,3.8512,12.41,35.20
//
// A row is written every few updates (training loss averaged since the previous row) and at each
// evaluation (then with the validation columns; they are empty otherwise). Numbers are printed
// so that they read back to the same double; an empty field is NaN.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::seq2seq {

struct MetricsRow {
  int64_t step = 0;
  int64_t epoch = 0;  // epochs completed (a row at the end of epoch 1 says 1)
  double loss = 0.0;  // mean training loss per target token since the previous row (NaN: none)
  double lr = 0.0;
  double tokens_per_s = 0.0;   // target tokens per second of training since the previous row
  double valid_loss = 0.0;     // NaN unless the row is an evaluation
  std::vector<double> scores;  // one per score name; NaN unless an evaluation
};

class MetricsLog {
 public:
  // `score_names`: the validation scores of the run (evaluation.h's score_names), columns
  // valid_<name>.
  explicit MetricsLog(std::vector<std::string> score_names);

  const std::vector<std::string>& score_names() const { return score_names_; }
  const std::vector<MetricsRow>& rows() const { return rows_; }

  std::string header() const;  // the CSV header line, without '\n'
  std::string line(const MetricsRow& row) const;

  // Adds a row (its scores must be one per name, else "[metrics_log]").
  void add(MetricsRow row);
  // Reads a metrics.csv written with the same score names, keeping the rows with step <= max_step
  // (the rows a resumed run had checkpointed). The log only reports the run (the checkpoint holds
  // its state), so damage never blocks a resume: a malformed row is dropped, and so is every row
  // under another header; the returned list says what was dropped, naming file and line. Throws
  // "[metrics_log]" only for a file that cannot be read.
  std::vector<std::string> load(const std::string& path, int64_t max_step);
  // Writes every row (header first), replacing the file atomically; or appends one row (writing
  // the header first if the file is new or empty). Throw "[metrics_log]" naming a file that
  // cannot be written.
  void write(const std::string& path) const;
  void append(const std::string& path, const MetricsRow& row) const;

  // Two charts stacked: training and validation loss against the step, and the validation
  // scores against the step.
  std::string curves_svg() const;

 private:
  MetricsRow parse_row(const std::string& text, const std::string& where) const;  // or throws

  std::vector<std::string> score_names_;
  std::vector<MetricsRow> rows_;
};

}  // namespace ember::seq2seq
