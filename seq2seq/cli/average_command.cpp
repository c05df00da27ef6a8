// ember average: the element-wise mean of a run's last K periodic checkpoints (checkpoint
// averaging, seq2seq/train/average.h), for translate and eval's --checkpoint average.
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/train/average.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Averages the weights of a run's last K periodic checkpoints (element-wise mean of every\n"
    "parameter), as Marian's average.py and fairseq's average_checkpoints.py do. The run must\n"
    "keep them: train with --keep-checkpoints K (and a --save-every that saves often enough).\n"
    "The average goes to <run>/checkpoints/average.safetensors unless --output says otherwise;\n"
    "translate and eval use it with --checkpoint average (or --checkpoint FILE).\n\n"
    "example:\n"
    "  ember average --run runs/m30k --last 5\n"
    "  ember eval --run runs/m30k --checkpoint average";

}  // namespace

int average_command(const std::vector<std::string>& args) {
  std::string run_dir;
  int64_t last = 5;
  std::string output;
  FlagSet flags("ember average", kSummary);
  flags.add("--run", "DIR", "run directory (required)", &run_dir);
  flags.add("--last", "K", "average the newest K periodic checkpoints", &last);
  flags.add("--output", "FILE", "write here (default: <run>/checkpoints/average.safetensors)",
            &output);
  add_log_flags(flags);
  if (!parse_command_flags(flags, args)) return 0;  // --help printed
  EMBER_CHECK(!run_dir.empty(), "[flags] ember average: --run DIR is required");
  const AveragedRun result = average_run(run_dir, last, output);
  fmt::print("averaged {} checkpoints of {} (updates {}) into {}\n", result.steps.size(), run_dir,
             fmt::join(result.steps, ", "), result.output);
  return 0;
}

}  // namespace ember::seq2seq::cli
