// ember train: a training run from flags and/or a JSON config, into a run directory.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "ember/core/error.h"
#include "ember/distributed/collectives.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/machine_log.h"
#include "ember/seq2seq/cli/run_flags.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Trains an encoder-decoder on parallel text (files of one sentence a line, or the built-in\n"
    "dates corpus) and writes a run directory: config.json, tokenizer/, checkpoints/,\n"
    "metrics.csv, curves.svg and samples.txt. Settings come from the defaults, then --config\n"
    "FILE.json (the form of a run's config.json, any subset of keys), then the flags.\n"
    "Checkpoints are saved every --save-every updates and --save-minutes minutes, and at each\n"
    "epoch's end; Ctrl-C or SIGTERM saves one and stops; --resume continues from the last.\n"
    "One process trains in a run directory at a time (run.lock).\n"
    "Under mpirun the ranks train data-parallel, each on its share of every batch (--batch-tokens\n"
    "stays the whole batch); rank 0 writes the run directory, which every rank must see at the\n"
    "same path (docs/distributed.md).\n\n"
    "examples:\n"
    "  ember train --data ../shared/data/multi30k --src de --tgt en --tokenized \\\n"
    "      --tokenizer word --min-count 2 --arch rnn_attention --run-dir runs/m30k-gru\n"
    "  mpirun -np 2 ember train --builtin dates --arch rnn_attention --run-dir runs/dates-2ranks";

// The base config: a resumed run's own config.json, else --config, else the defaults.
RunConfig base_config(const std::vector<std::string>& args, bool resume,
                      const std::string& run_dir) {
  if (resume) {
    EMBER_CHECK(!run_dir.empty(), "[flags] ember train: --resume needs --run-dir DIR");
    EMBER_CHECK(std::filesystem::exists(run_config_path(run_dir)),
                "[run] cannot resume: {} is not a run directory (no config.json)", run_dir);
    return load_run_config(run_config_path(run_dir));
  }
  const std::string config_file = prescan_flag(args, "--config");
  return config_file.empty() ? RunConfig{} : load_run_config(config_file);
}

void log_result(const TrainResult& result) {
  for (const auto& [name, value] : result.scores) spdlog::info("valid {}: {:.2f}", name, value);
}

}  // namespace

int train_command(const std::vector<std::string>& args) {
  const bool resume = has_flag(args, "--resume");
  std::string run_dir = prescan_flag(args, "--run-dir");
  RunConfig config = base_config(args, resume, run_dir);
  std::string config_file;
  bool resume_flag = false;
  FlagSet flags("ember train", kSummary);
  flags.add("--run-dir", "DIR", "run directory (default: runs/train-<time>)", &run_dir);
  flags.add("--config", "FILE", "JSON settings, applied before the flags", &config_file);
  flags.add_switch("--resume", "continue the run in --run-dir from its last checkpoint",
                   &resume_flag);
  add_data_flags(flags, config.data);
  add_tokenizer_flags(flags, config.tokenizer);
  if (!parse_run_flags(flags, args, config)) return 0;
  if (run_dir.empty()) {
    run_dir = timestamped_dir("runs", "train");
    distributed::broadcast(run_dir);  // rank 0's clock names the directory of every rank
  }

  log_machine();
  // Data-parallel: rank 0 reports for all (the ranks make the same updates).
  const bool reports = distributed::rank() == 0;
  const std::atomic<bool>* stop = install_interrupt_handler();
  ProgressPrinter printer;
  ProgressCallback progress;
  if (reports) progress = [&printer](const ProgressEvent& e) { printer(e); };
  const TrainResult result = train_run(config, run_dir, resume, progress, stop);
  printer.finish_line();
  if (!reports) return result.interrupted() ? interrupt_exit_code() : 0;
  if (result.interrupted()) {
    spdlog::warn(
        "{}: stopped at update {}; checkpoint saved. Continue with: ember train --resume "
        "--run-dir {}",
        interrupt_name(), result.steps, run_dir);
    return interrupt_exit_code();
  }
  log_result(result);
  spdlog::info("done: {}", run_dir);
  return 0;
}

}  // namespace ember::seq2seq::cli
