// ember: train, translate with and evaluate encoder-decoder models; `ember demo translate` is the
// main job (README). Logs go to stderr (spdlog; each command's --log-level and --quiet choose how
// much), results to stdout. Any error is one line on stderr and exit code 2.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/distributed/collectives.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/seq2seq.h"

namespace {

constexpr const char* kUsage =
    "usage: ember <command> [flags]     (ember <command> --help for its flags)\n"
    "       ember --version             print the version\n\n"
    "commands:\n"
    "  demo translate   the main job: learn to normalise dates on the built-in corpus, then\n"
    "                   translate unseen ones, draw an attention heatmap, print exact match\n"
    "  demo summarize   email subject lines on AESLC (needs the data set), ROUGE vs lead-8\n"
    "  train            train an encoder-decoder on parallel text into a run directory\n"
    "  translate        translate lines with a trained run (stdin -> stdout, or files)\n"
    "  eval             score a trained run on a split (exact match, BLEU/chrF, ROUGE)\n"
    "  score            score hypothesis files against references: BLEU, chrF, TER, ROUGE,\n"
    "                   as sacreBLEU does, with confidence intervals and paired tests\n"
    "  average          average a run's last K checkpoints (for --checkpoint average)\n"
    "  compare          the comparison lab: LSTM, attention, ConvS2S, Transformer, matched size\n"
    "  probe            copy, reverse, sort (accuracy against length), agreement past\n"
    "                   distracting nouns (--agreement) and word sense by a distant cue\n"
    "                   (--sense), for each architecture\n"
    "  cost             time and memory of an LSTM, a convolution and self-attention against\n"
    "                   the sequence length, next to their complexities\n\n"
    "Every command logs to stderr and takes --log-level trace|debug|info|warn|error|off (info)\n"
    "and --quiet (= --log-level warn); results go to stdout.\n";

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

int dispatch(const std::string& command, const std::vector<std::string>& args) {
  namespace cli = ember::seq2seq::cli;
  // Under mpirun train runs data-parallel and compare deals its models to the ranks; any other
  // command would run N times over.
  EMBER_CHECK(ember::distributed::world_size() == 1 || command == "train" || command == "compare",
              "[ember] '{}' does not run on several ranks (launched on {} by mpirun): only "
              "'ember train' and 'ember compare' do",
              command, ember::distributed::world_size());
  if (command == "train") return cli::train_command(args);
  if (command == "translate") return cli::translate_command(args);
  if (command == "eval") return cli::eval_command(args);
  if (command == "average") return cli::average_command(args);
  if (command == "demo") return cli::demo_command(args);
  if (command == "compare") return cli::compare_command(args);
  if (command == "probe") return cli::probe_command(args);
  if (command == "score") return cli::score_command(args);
  if (command == "cost") return cli::cost_command(args);
  if (command == "--version") {
    fmt::print("ember {}\n", ember::seq2seq::version());
    return 0;
  }
  if (command == "-h" || command == "--help" || command == "help") {
    fmt::print("{}", kUsage);
    return 0;
  }
  throw ember::Error(
      fmt::format("[ember] unknown command '{}' (commands: demo, train, translate, eval, score, "
                  "average, compare, probe, cost; see 'ember --help')",
                  command));
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("ember"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  if (argc < 2) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  try {
    ember::distributed::init();  // MPI when mpirun started this process (docs/distributed.md)
    const int code = dispatch(argv[1], std::vector<std::string>(argv + 2, argv + argc));
    ember::distributed::finalize();
    return code;
  } catch (const std::exception& e) {
    // The error that ends the program is shown even under --log-level off.
    spdlog::set_level(std::min(spdlog::get_level(), spdlog::level::err));
    const int ranks = ember::distributed::world_size();
    if (ranks == 1) {
      spdlog::error("{}", one_line(e.what()));
      return 2;
    }
    // The other ranks would wait for this one in their next collective: end the whole job.
    spdlog::error("rank {} of {}: {}", ember::distributed::rank(), ranks, one_line(e.what()));
    ember::distributed::abort(2);
  }
}
