// What the two demos (`ember demo translate`, `ember demo summarize`) share: training a recipe
// into a run directory with the progress display and Ctrl-C handling of `ember train`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ember/seq2seq/train/run_config.h"
#include "ember/seq2seq/train/trainer.h"

namespace ember::seq2seq::cli {

int demo_translate(const std::vector<std::string>& args);
int demo_summarize(const std::vector<std::string>& args);

// Trains `config` into `run_dir` and returns the wall time in seconds, or nothing when Ctrl-C
// stopped it (a checkpoint is saved and the way to resume is logged).
std::optional<double> train_demo(const RunConfig& config, const std::string& run_dir);

}  // namespace ember::seq2seq::cli
