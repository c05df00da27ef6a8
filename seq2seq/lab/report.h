// The report of a comparison (compare.h), written into its report directory:
//
//   report.md              the table (one row per contender), the figures, the command
//   results.csv            the table's numbers, full precision
//   curves.csv             every contender's validation loss at each evaluation
//   loss_vs_time.svg       validation loss against training time, one curve per contender
//   score_by_length.svg    the test score (greedy) by source-length bucket, one curve each
//   attention-<slug>[-layer<N>].svg   the attention maps of one test sentence
//   runs/<slug>/           the contenders' run directories (written by run_comparison)
//   results/<slug>-s<seed>/  each contender's result files (lab_result.h; run_comparison too)
#pragma once

#include <string>

#include "ember/seq2seq/lab/compare.h"

namespace ember::seq2seq::lab {

// The axis label of a score ("bleu" -> "BLEU", "exact_match" -> "exact match (%)").
std::string score_label(const std::string& score_name);
// The data of the comparison, one line ("the built-in dates corpus (...)", "DIR de -> en").
std::string data_line(const Comparison& comparison);
// The training budget and recipe, one line ("3000 updates or 1000 epochs (whichever ...").
std::string budget_line(const TrainOptions& train);

// The markdown text of report.md.
std::string report_markdown(const Comparison& comparison);
// The table of report.md (header, rule, one row per contender).
std::string report_table(const Comparison& comparison);

// Writes every file above except runs/ into comparison.options.out_dir, each atomically
// (core/atomic_file.h); throws "[compare]" naming a file that cannot be written.
void write_report(const Comparison& comparison);

}  // namespace ember::seq2seq::lab
