// Several probes of the same recipe (another seed each) read back from their probe.csv and
// summarised as mean ± standard deviation per (task, model, bucket): `ember probe --aggregate
// DIR,DIR,... --out DIR`. Whatever probes are present are aggregated, so a table can grow one
// seed at a time, run by run, and a cell says over how many runs it stands.
//
//   std::vector<ProbeCsvRow> rows = parse_probe_csv(text, "runs/probe-s1/probe.csv");
//   std::vector<ProbeSummary> table = aggregate_probe_rows({rows_s1, rows_s2, rows_s3});
//   write_probe_aggregate(table, {"runs/probe-s1", ...}, "runs/probe-agg", command);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/seq2seq/lab/mean_std.h"

namespace ember::seq2seq::lab {

// One line of probe.csv (probe_report.h): a (task, model, bucket) of one probe.
struct ProbeCsvRow {
  std::string task;
  std::string model;
  std::string bucket;  // its label, "5-20" or "7"
  int64_t first = 0;
  int64_t last = 0;
  int64_t count = 0;
  double exact = 0.0;
  double tokens = 0.0;
  double contrastive = 0.0;  // NaN when the task has none (the field is empty)
};

// Parses a probe.csv strictly: the header probe_csv() writes (or the one before the contrastive
// column), as many fields a line, counts and bounds non-negative integers, the shares finite
// numbers in [0, 1]. Throws "[probe_aggregate]"
// naming `name`, the line (from 1) and what is wrong.
std::vector<ProbeCsvRow> parse_probe_csv(const std::string& text, const std::string& name);

struct ProbeSummary {
  std::string task;
  std::string model;
  std::string bucket;
  int64_t first = 0;
  int64_t last = 0;
  int64_t runs = 0;  // probes holding this (task, model, bucket)
  MeanStd exact;
  MeanStd tokens;
  MeanStd contrastive;  // mean NaN when the task has none
};

// One summary per (task, model, bucket) found in any run, in the order of first appearance.
// Throws "[probe_aggregate]" when one run holds the same (task, model, bucket) twice.
std::vector<ProbeSummary> aggregate_probe_rows(const std::vector<std::vector<ProbeCsvRow>>& runs);

// Writes aggregate.md (a table per measure: mean ± std, and the number of runs), aggregate.csv
// and aggregate.svg (the means against the bucket, one panel per task and measure) into dir.
void write_probe_aggregate(const std::vector<ProbeSummary>& table,
                           const std::vector<std::string>& probe_dirs, const std::string& dir,
                           const std::string& command);

}  // namespace ember::seq2seq::lab
