// Helpers the subcommands share: run flags, run directory names, line input and output.
#include <spdlog/spdlog.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/cli/run_flags.h"
#include "ember/seq2seq/data/text_file.h"

namespace ember::seq2seq::cli {

void reject_positionals(const ParsedArgs& parsed, const FlagSet& flags) {
  EMBER_CHECK(parsed.positionals.empty(), "[flags] {}: unexpected argument '{}' (see '{} --help')",
              flags.command(), parsed.positionals.empty() ? "" : parsed.positionals.front(),
              flags.command());
}

bool parse_run_flags(FlagSet& flags, const std::vector<std::string>& args, RunConfig& config) {
  ModelFlags model_flags;
  add_model_flags(flags, model_flags);
  add_train_flags(flags, config.train);
  add_log_flags(flags);
  const ParsedArgs parsed = flags.parse(args);
  if (parsed.help) {
    fmt::print("{}", flags.help());
    return false;
  }
  reject_positionals(parsed, flags);
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
