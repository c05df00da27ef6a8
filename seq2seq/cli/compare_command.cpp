// ember compare: the comparison lab (seq2seq/lab/compare.h) from the command line — flags in
// seq2seq/cli/compare_flags.h, progress on stderr, the table on stdout, the report on disk.
#include <spdlog/spdlog.h>

#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/compare_flags.h"
#include "ember/seq2seq/lab/report.h"

namespace ember::seq2seq::cli {

int compare_command(const std::vector<std::string>& args) {
  CompareArgs parsed = parse_compare_args(args);
  if (parsed.help) {
    fmt::print("{}", parsed.help_text);
    return 0;
  }
  lab::CompareOptions& options = parsed.options;
  if (options.out_dir.empty()) options.out_dir = timestamped_dir("runs", "compare");
  spdlog::info("ember compare: report in {}", options.out_dir);

  const std::atomic<bool>* stop = install_interrupt_handler();
  ProgressPrinter printer;
  const lab::Comparison result = lab::run_comparison(
      options, [&printer](const std::string&, const ProgressEvent& e) { printer(e); }, stop);
  printer.finish_line();
  lab::write_report(result);
  fmt::print("\n{}\n", lab::report_table(result));
  fmt::print("report: {}/report.md ({:.0f} s)\n", options.out_dir, result.wall_seconds);
  if (result.interrupted) {
    spdlog::warn("stopped: the report holds the {} models trained to the end",
                 result.contenders.size());
    return interrupt_exit_code();
  }
  return 0;
}

}  // namespace ember::seq2seq::cli
