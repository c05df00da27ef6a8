// ember probe: the probing tasks (copy, reverse, sort; agreement; sense) on the matched-size
// lineup, accuracy by length bucket, written as a report directory (seq2seq/lab/probe.h,
// probe_report.h); with --aggregate, mean ± std over earlier probes (lab/probe_aggregate.h).
#include <spdlog/spdlog.h>

#include "ember/core/regular_file.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/probe_flags.h"
#include "ember/seq2seq/lab/probe.h"
#include "ember/seq2seq/lab/probe_aggregate.h"
#include "ember/seq2seq/lab/probe_report.h"

namespace ember::seq2seq::cli {
namespace {

// The command as typed, for the report (arguments with spaces quoted).
std::string command_line(const std::vector<std::string>& args) {
  std::string line = "ember probe";
  for (const std::string& a : args) {
    line += a.find_first_of(" \t'\"") == std::string::npos ? " " + a : " '" + a + "'";
  }
  return line;
}

// --aggregate: reads each probe's probe.csv, writes the mean ± std tables.
int aggregate_probes(const ProbeCommand& command, const std::vector<std::string>& args) {
  std::vector<std::vector<lab::ProbeCsvRow>> runs;
  for (const std::string& dir : command.aggregate) {
    const std::string path = dir + "/probe.csv";
    runs.push_back(lab::parse_probe_csv(core::read_regular_file(path, "[probe_aggregate]"), path));
  }
  const std::vector<lab::ProbeSummary> table = lab::aggregate_probe_rows(runs);
  lab::write_probe_aggregate(table, command.aggregate, command.out_dir, command_line(args));
  fmt::print("{} probes, {} (task, model, bucket) cells: {}/aggregate.md\n", runs.size(),
             table.size(), command.out_dir);
  return 0;
}

}  // namespace

int probe_command(const std::vector<std::string>& args) {
  ProbeCommand command = parse_probe_command(args);
  if (command.help) {
    fmt::print("{}", command.help_text);
    return 0;
  }
  if (command.out_dir.empty()) command.out_dir = timestamped_dir("runs", "probe");
  if (!command.aggregate.empty()) return aggregate_probes(command, args);
  const lab::ProbeOptions& o = command.options;
  spdlog::info("ember probe: tasks {}, models {} (lineup {}), {} updates each, into {}",
               fmt::join(o.tasks, ","), fmt::join(o.models, ","), o.size, o.train.max_steps,
               command.out_dir);
  const std::atomic<bool>* stop = install_interrupt_handler();
  ProgressPrinter printer;
  lab::ProbeCallbacks callbacks;
  callbacks.note = [&printer](const std::string& line) {
    printer.finish_line();
    spdlog::info("{}", line);
  };
  callbacks.training = [&printer](const ProgressEvent& e) {
    if (e.kind != ProgressEvent::Kind::kInfo) printer(e);
  };
  const lab::ProbeResult result = lab::run_probe(o, command.out_dir, callbacks, stop);
  printer.finish_line();
  if (result.interrupted) {
    spdlog::warn("stopped: no report written ({} of {} models done)", result.cells.size(),
                 o.tasks.size() * o.models.size());
    return interrupt_exit_code();
  }
  lab::write_probe_report(result, command.out_dir, command_line(args));
  for (const std::string& line : lab::probe_findings(result)) fmt::print("{}\n", line);
  fmt::print("\nreport: {}/probe.md, figure: {}/probe.svg ({:.1f} min wall, {:.1f} min CPU)\n",
             command.out_dir, command.out_dir, result.wall_seconds / 60.0,
             result.cpu_seconds / 60.0);
  return 0;
}

}  // namespace ember::seq2seq::cli
