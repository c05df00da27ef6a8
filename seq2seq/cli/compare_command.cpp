// ember compare: the comparison lab (seq2seq/lab/compare.h) from the command line — flags in
// seq2seq/cli/compare_flags.h, progress on stderr, the table on stdout, the report on disk. With
// --report, the report over result directories instead (lab/lab_aggregate.h); under mpirun, the
// models dealt to the ranks and rank 0 writing that report over the comparison's results.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "ember/distributed/collectives.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/compare_flags.h"
#include "ember/seq2seq/lab/lab_aggregate.h"
#include "ember/seq2seq/lab/report.h"

namespace ember::seq2seq::cli {
namespace {

// The report over result directories, into out_dir.
void aggregate(const std::vector<std::string>& dirs, const std::string& out_dir,
               const std::string& command) {
  const std::vector<lab::LabResult> runs = lab::read_result_dirs(dirs);
  const lab::LabAggregate table = lab::aggregate_lab_results(runs);
  lab::write_lab_aggregate(table, runs, out_dir, command);
  fmt::print("{} runs of {} models: {}/report.md\n", runs.size(), table.models.size(), out_dir);
}

}  // namespace

int compare_command(const std::vector<std::string>& args) {
  CompareArgs parsed = parse_compare_args(args);
  if (parsed.help) {
    fmt::print("{}", parsed.help_text);
    return 0;
  }
  lab::CompareOptions& options = parsed.options;
  const int rank = distributed::rank();
  if (options.out_dir.empty()) {
    options.out_dir = timestamped_dir("runs", "compare");
    distributed::broadcast(options.out_dir);  // rank 0's clock names every rank's directory
  }
  if (!parsed.report.empty()) {
    EMBER_CHECK(distributed::world_size() == 1,
                "[compare] --report reads files and trains nothing: run it without mpirun");
    aggregate(parsed.report, options.out_dir, options.command);
    return 0;
  }
  if (rank == 0) spdlog::info("ember compare: report in {}", options.out_dir);

  const std::atomic<bool>* stop = install_interrupt_handler();
  ProgressPrinter printer;
  lab::CompareProgress progress = [&printer](const std::string&, const ProgressEvent& e) {
    printer(e);
  };
  if (rank != 0) {  // rank 0 draws the progress; the others say what they start
    progress = [rank](const std::string&, const ProgressEvent& e) {
      if (e.kind == ProgressEvent::Kind::kInfo && e.message.starts_with("["))
        spdlog::info("rank {}: {}", rank, e.message);
    };
  }
  const lab::Comparison result = lab::run_comparison(options, progress, stop);
  printer.finish_line();
  if (distributed::world_size() > 1) {
    // Every rank's result directories are written (run_comparison waited for all of them).
    if (rank == 0)
      aggregate({(std::filesystem::path(options.out_dir) / "results").string()}, options.out_dir,
                options.command);
    return result.interrupted ? interrupt_exit_code() : 0;
  }
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
