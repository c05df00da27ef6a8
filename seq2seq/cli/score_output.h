// The text that `ember score` prints, laid out as sacreBLEU 2.x's command line lays it out
// (sacrebleu/utils.py: print_single_results, print_results_table with tabulate's fancy_grid,
// _format_score_lines), so that a user comparing the two sees the same lines.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ember::seq2seq::cli {

// One metric's score of one system, with what sacreBLEU shows beside it.
struct ScoreCell {
  double score = 0.0;
  std::string details;             // BLEU's precisions and brevity penalty; empty otherwise
  std::optional<double> mean, ci;  // bootstrap estimate of the mean and its 95% half-interval
  std::optional<double> p_value;   // paired test against the baseline
};

// "NAME|SIGNATURE = SCORE[ (μ = MEAN ± CI)][ DETAILS]", or only "SCORE[ (μ = ...)]".
std::string score_line(const std::string& name, const std::string& signature, const ScoreCell& cell,
                       int width, bool score_only);

// The same as sacreBLEU's JSON object (json.dumps(indent=1)): name, score (rounded to `width`),
// signature, the bootstrap estimate, verbose_score (the details), then each signature field.
std::string score_json(const std::string& name, const std::string& signature, const ScoreCell& cell,
                       int width);

// One object as it is, several as a JSON list, as print_single_results joins them.
std::string json_results(const std::vector<std::string>& objects);

// Lines right-aligned on their first " = " (print_single_results).
std::string align_on_equals(const std::vector<std::string>& lines);

// The multi-system table: a row per system, a column per metric (names[m], cells[m][system]),
// the explanation of the paired test when p-values are given, then each metric's signature.
std::string systems_table(const std::vector<std::string>& systems,
                          const std::vector<std::string>& names,
                          const std::vector<std::vector<ScoreCell>>& cells,
                          const std::vector<std::string>& signatures, int width,
                          int64_t paired_samples);

}  // namespace ember::seq2seq::cli
