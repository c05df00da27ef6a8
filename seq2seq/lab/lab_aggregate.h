// The comparison lab's report over result directories (lab_result.h): whatever runs are present
// (any subset of the lineup, any number of seeds each) summarised per model as mean ± standard
// deviation over its seeds, so that the table grows run by run over several days:
// `ember compare --report DIR[,DIR...] --out DIR`.
//
//   std::vector<LabResult> runs = read_result_dirs({"docs/results/lab-m30k-small"});
//   LabAggregate table = aggregate_lab_results(runs);
//   write_lab_aggregate(table, runs, "runs/lab-report", command);
//
// Two answers to "which model is better", which differ when the models run at different speeds:
//   equal updates   each run's validation loss (and score) at U, the largest update count every
//                   run reached: the last evaluation at or before U (the runs of one recipe
//                   evaluate at the same updates, so it is the evaluation at U)
//   equal time      each run's best validation loss (and score) among its evaluations within T,
//                   the shortest training time (updates only) of any run: in CPU time when every
//                   run recorded it (LossPoint::train_cpu_seconds), which does not count the time
//                   other programs held the CPU, else by the trainer's clock
// The test scores (greedy and beam search) are those of each run's full budget.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/seq2seq/lab/lab_result.h"
#include "ember/seq2seq/lab/mean_std.h"

namespace ember::seq2seq::lab {

// Each directory is a result directory (it holds result.json) or holds result directories (its
// subdirectories with a result.json, in name order). Throws "[lab_result]" for a directory that
// is neither, and the parse errors of each file (naming it).
std::vector<LabResult> read_result_dirs(const std::vector<std::string>& dirs);

struct ModelSummary {
  std::string model;
  std::vector<int64_t> seeds = {};  // in the order read
  int64_t parameters = 0;
  MeanStd updates = {};
  MeanStd train_seconds = {};
  MeanStd greedy = {};  // the test score, greedy search
  MeanStd beam = {};    // the test score, beam search
  MeanStd loss_at_updates = {};
  MeanStd score_at_updates = {};  // NaN when the runs scored no validation
  MeanStd best_loss_within_time = {};
  MeanStd best_score_within_time = {};
  std::vector<MeanStd> by_length = {};  // the greedy test score in each of LabAggregate::buckets
};

// One model's learning curve averaged over its seeds: the updates at which every seed evaluated.
struct MeanCurve {
  std::string model;
  std::vector<int64_t> updates = {};
  std::vector<double> train_seconds = {};  // mean
  std::vector<MeanStd> valid_loss = {};
  std::vector<MeanStd> valid_score = {};
};

struct LabAggregate {
  std::string score_name;
  std::string size;
  std::string data;
  std::string budget;
  int64_t beam_size = 0;
  int64_t common_updates = 0;              // U
  double common_seconds = 0.0;             // T
  bool cpu_time = false;                   // T and the equal-time cells are CPU time
  std::vector<LengthBucket> buckets = {};  // the test split's source-length buckets, every run's
  std::vector<ModelSummary> models = {};   // in the lineup's order
  std::vector<MeanCurve> curves = {};      // the same order
};

// Throws "[lab_result]" for no run, runs of different recipes, lineup sizes, scores, beams or
// test length buckets (naming both files and the differences), and a (model, seed) present
// twice (naming both files).
LabAggregate aggregate_lab_results(const std::vector<LabResult>& runs);

// Writes into dir, each atomically: report.md (the table, the figure, the test score by source
// length, the runs with their command, date and machine), results.csv (the table, full
// precision), curves.csv (the mean curves), curves.svg (validation loss against updates and
// against training time, and the validation score against updates, one line per model),
// by_length.csv and by_length.svg (the greedy test score in each source-length bucket), and a
// copy of each model's attention maps (lab_result.h) from its lowest seed that recorded them.
void write_lab_aggregate(const LabAggregate& table, const std::vector<LabResult>& runs,
                         const std::string& dir, const std::string& command);

}  // namespace ember::seq2seq::lab
