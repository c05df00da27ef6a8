// The report of a probe (lab/probe.h), written into its directory:
//
//   probe.md    the set-up, the command, tables of exact match and token accuracy by task x model
//               x length bucket with parameters and training time, and what the figure shows
//   probe.svg   accuracy against source length: one panel per task (exact match, then token
//               accuracy), one line per model
//   probe.csv   task,model,bucket,first,last,count,exact,tokens: the numbers of the tables
//
//   write_probe_report(result, "runs/probe", "ember probe --quick");
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/lab/probe.h"

namespace ember::seq2seq::lab {

// What the figure shows, one sentence per line, generated from the measured numbers only: per
// task, the range of exact match over the models at the shortest and at the longest bucket,
// then per model (indented by two spaces) its exact match at both ends, the buckets where it
// reaches 0.5 and its token accuracy at both ends; last, what the run does not measure (the
// spread over seeds). Throws "[probe]" for an interrupted result or a missing cell.
std::vector<std::string> probe_findings(const ProbeResult& result);

std::string probe_markdown(const ProbeResult& result, const std::string& command);
std::string probe_figure(const ProbeResult& result);  // the SVG document
std::string probe_csv(const ProbeResult& result);

// Writes probe.md, probe.svg and probe.csv into `dir` (created if needed), each atomically
// (core/atomic_file.h). Throws "[probe]" for an interrupted result (its grid is incomplete) or a
// file that cannot be written.
void write_probe_report(const ProbeResult& result, const std::string& dir,
                        const std::string& command);

}  // namespace ember::seq2seq::lab
