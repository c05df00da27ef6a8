// ember demo translate|summarize: picks the demo and runs its recipe (demo_translate.cpp,
// demo_summarize.cpp).
#include <spdlog/spdlog.h>

#include <chrono>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/demo.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::cli {

std::optional<double> train_demo(const RunConfig& config, const std::string& run_dir) {
  const std::atomic<bool>* stop = install_interrupt_handler();
  ProgressPrinter printer;
  const auto t0 = std::chrono::steady_clock::now();
  const TrainResult result = train_run(
      config, run_dir, false, [&printer](const ProgressEvent& e) { printer(e); }, stop);
  printer.finish_line();
  if (result.interrupted()) {
    spdlog::warn("{}: stopped; continue with: ember train --resume --run-dir {}", interrupt_name(),
                 run_dir);
    return std::nullopt;
  }
  spdlog::info("trained {} updates", result.steps);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int demo_command(const std::vector<std::string>& args) {
  const std::string which = args.empty() ? "" : args[0];
  const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
  if (which == "translate") return demo_translate(rest);
  if (which == "summarize") return demo_summarize(rest);
  if (which == "-h" || which == "--help") {
    fmt::print(
        "usage: ember demo translate|summarize [flags]\n\n"
        "  translate   the main job: date normalisation on the built-in corpus (no download)\n"
        "  summarize   email subject lines from bodies on AESLC (needs the data set)\n\n"
        "'ember demo translate --help' and 'ember demo summarize --help' list the flags.\n");
    return 0;
  }
  throw Error(fmt::format(
      "[flags] ember demo: expected 'ember demo translate' or 'ember demo summarize', got "
      "'ember demo {}'",
      fmt::join(args, " ")));
}

}  // namespace ember::seq2seq::cli
