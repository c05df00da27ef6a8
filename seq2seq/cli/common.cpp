// Helpers the subcommands share: run flags, run directory names, line input and output.
#include <spdlog/spdlog.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>

#include "ember/core/error.h"
#include "ember/core/int8_gemm.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/cli/run_flags.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/train/ensemble_run.h"

namespace ember::seq2seq::cli {

void reject_positionals(const ParsedArgs& parsed, const FlagSet& flags) {
  EMBER_CHECK(parsed.positionals.empty(), "[flags] {}: unexpected argument '{}' (see '{} --help')",
              flags.command(), parsed.positionals.empty() ? "" : parsed.positionals.front(),
              flags.command());
}

bool parse_command_flags(const FlagSet& flags, const std::vector<std::string>& args) {
  const ParsedArgs parsed = flags.parse(args);
  if (parsed.help) {
    fmt::print("{}", flags.help());
    return false;
  }
  reject_positionals(parsed, flags);
  return true;
}

bool parse_run_flags(FlagSet& flags, const std::vector<std::string>& args, RunConfig& config) {
  ModelFlags model_flags;
  add_model_flags(flags, model_flags);
  add_train_flags(flags, config.train);
  add_log_flags(flags);
  if (!parse_command_flags(flags, args)) return false;
  config.model = model_flags.apply(config.model);
  return true;
}

std::string timestamped_dir(const std::string& parent, const std::string& prefix) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  return fmt::format("{}/{}-{}", parent, prefix, stamp);
}

std::vector<std::string> read_input_lines(const std::string& path) {
  if (path != "-") return read_lines(path);
  const std::string content((std::istreambuf_iterator<char>(std::cin)),
                            std::istreambuf_iterator<char>());
  return split_lines(content, "<stdin>");
}

void add_model_choice_flags(FlagSet& flags, std::string& checkpoint, std::string& ensemble) {
  flags.add("--checkpoint", "NAME|FILE",
            "weights: best, last, average (ember average's) or a file (default: best, else last)",
            &checkpoint);
  flags.add("--ensemble", "DIR,...",
            "more runs with the same vocabularies, decoded with --run as one ensemble (the mean "
            "of their probabilities at each step)",
            &ensemble);
}

std::vector<std::string> decoded_runs(const std::string& run_dir, const std::string& ensemble) {
  std::vector<std::string> runs = {run_dir};
  if (ensemble.empty()) return runs;
  size_t begin = 0;
  while (true) {
    const size_t comma = ensemble.find(',', begin);
    const std::string name = ensemble.substr(begin, comma - begin);
    EMBER_CHECK(!name.empty(), "[flags] --ensemble '{}': an empty run name in the list", ensemble);
    runs.push_back(name);
    if (comma == std::string::npos) return runs;
    begin = comma + 1;
  }
}

LoadedRun load_decoded_runs(const std::string& run_dir, const std::string& ensemble,
                            const std::string& checkpoint) {
  const std::vector<std::string> runs = decoded_runs(run_dir, ensemble);
  LoadedRun run = load_ensemble(runs, checkpoint);
  if (runs.size() > 1)
    spdlog::info("ensemble of {} runs ({}): {}", runs.size(), run.checkpoint,
                 run.model->describe());
  return run;
}

void add_quantize_flag(FlagSet& flags, std::string& quantize) {
  flags.add_choice("--quantize",
                   "int8: weight products in int8 (per-channel weights, per-row activations)",
                   &quantize, {"none", "int8"});
}

void apply_quantize(const std::string& quantize, LoadedRun& run) {
  if (quantize != "int8") return;
  run.model->quantize_int8();
  spdlog::debug("weight products quantized to int8: {}", core::int8_backend());
}

void warn_cut_sources(int64_t cut, int64_t total, int64_t limit) {
  if (cut == 0) return;
  spdlog::warn("{} of {} input lines were longer than the model reads and were cut to their first "
               "{} tokens",
               cut, total, limit);
}

void write_output_lines(const std::string& path, const std::vector<std::string>& lines) {
  if (path != "-") {
    write_lines(path, lines);
    return;
  }
  for (const std::string& line : lines) std::cout << line << '\n';
  std::cout.flush();
}

}  // namespace ember::seq2seq::cli
