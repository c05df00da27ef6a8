// The subcommands of the `ember` program and what they share: progress display and Ctrl-C.
// Each command takes the arguments after its name, returns the exit code (0 ok, 130 stopped by
// Ctrl-C) and throws ember::Error for bad flags or data, which main() reports in one line with
// exit code 2.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ember/seq2seq/cli/flags.h"
#include "ember/seq2seq/data/detokenizer.h"
#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"
#include "ember/seq2seq/train/run_config.h"
#include "ember/seq2seq/train/trainer.h"

namespace ember::seq2seq::cli {

int train_command(const std::vector<std::string>& args);
int translate_command(const std::vector<std::string>& args);
int eval_command(const std::vector<std::string>& args);
int average_command(const std::vector<std::string>& args);
int demo_command(const std::vector<std::string>& args);
int compare_command(const std::vector<std::string>& args);
int probe_command(const std::vector<std::string>& args);
int score_command(const std::vector<std::string>& args);
int cost_command(const std::vector<std::string>& args);

// Prints training progress: on a terminal a progress bar redrawn in place (step, loss, tokens/s,
// ETA) with log lines above it; otherwise plain spdlog lines at each report, evaluation and
// checkpoint.
class ProgressPrinter {
 public:
  ProgressPrinter();
  void operator()(const ProgressEvent& event);
  void finish_line();  // ends a bar line in progress (before other output)

 private:
  void draw(const ProgressEvent& event);
  bool tty_;
  bool bar_shown_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

// A bar for work of `total` items (ember eval's decoding): redrawn on a terminal, silent
// otherwise.
void draw_count_bar(const std::string& what, int64_t done, int64_t total);

// Ctrl-C (SIGINT) or SIGTERM (what a scheduler or `systemctl stop` sends) sets the returned flag,
// so training saves a checkpoint and stops after the current update; a second signal ends the
// program at once. Then interrupt_name() says which signal it was and interrupt_exit_code() is
// the shell's code for it (130 for SIGINT, 143 for SIGTERM).
const std::atomic<bool>* install_interrupt_handler();
std::string interrupt_name();
int interrupt_exit_code();

// Throws "[flags]" for positional arguments a command does not take.
void reject_positionals(const ParsedArgs& parsed, const FlagSet& flags);
// Parses a command's arguments: prints the help and returns false for -h or --help, throws
// reject_positionals' error for a positional argument, returns true otherwise.
bool parse_command_flags(const FlagSet& flags, const std::vector<std::string>& args);
// The end of the training commands' flag handling (train, demo translate|summarize): adds the
// model and training flags to `flags`, parses args, and applies the model flags to config.model.
// Returns false when --help was given (the help is printed); throws "[flags]" for positional
// arguments.
bool parse_run_flags(FlagSet& flags, const std::vector<std::string>& args, RunConfig& config);
// "<parent>/<prefix>-YYYYmmdd-HHMMSS": a fresh run directory name.
std::string timestamped_dir(const std::string& parent, const std::string& prefix);
// Reads the lines of a file ("-": stdin, by the same rules as a file: universal newlines, UTF-8
// checked, named "<stdin>" in errors) / writes lines to a file ("-": stdout).
std::vector<std::string> read_input_lines(const std::string& path);
void write_output_lines(const std::string& path, const std::vector<std::string>& lines);

// Logs one warning when some sources were cut to what the model reads (says how many).
void warn_cut_sources(int64_t cut, int64_t total, int64_t limit);

// The weights and runs flags of translate and eval: --checkpoint best|last|average|FILE and
// --ensemble DIR,DIR... (decoded together with --run DIR).
void add_model_choice_flags(FlagSet& flags, std::string& checkpoint, std::string& ensemble);
// --run DIR, then each run of --ensemble's comma-separated list. Throws "[flags]" for an empty
// name in the list.
std::vector<std::string> decoded_runs(const std::string& run_dir, const std::string& ensemble);
// Loads the runs (seq2seq/train/ensemble_run.h), logging the ensemble's members.
LoadedRun load_decoded_runs(const std::string& run_dir, const std::string& ensemble,
                            const std::string& checkpoint);

// --quantize none|int8 of translate and eval: int8 runs the loaded model's weight products on
// int8 weights (nn::Module::quantize_int8, core/int8_gemm.h); decoding only.
void add_quantize_flag(FlagSet& flags, std::string& quantize);
// Quantizes run.model as --quantize asked, and logs the int8 product's path at debug level.
void apply_quantize(const std::string& quantize, LoadedRun& run);

// The decoding flags of translate and eval: --beam, --length-penalty, --max-len-a/b,
// --batch-tokens.
void add_decode_flags(FlagSet& flags, DecodeOptions& decode);
// --detokenize LANG and --uppercase-first, of translate and eval: outputs joined into running
// text by Moses' rules (seq2seq/data/detokenizer.h), to score against raw references.
struct DetokenizeFlags {
  std::optional<DetokenizerLanguage> language;  // none: outputs as the tokenizer decodes them
  bool uppercase_first = false;
  // Throws "[flags]" for --uppercase-first without --detokenize.
  void check() const;
  // The output as the user sees it.
  std::string apply(const std::string& output) const;
};
void add_detokenize_flags(FlagSet& flags, DetokenizeFlags& detokenize);
// Draws the attention weights of one translation (rows: output pieces, columns: source pieces)
// as an SVG heatmap. Throws "[translate]" when the model reported none.
void write_attention_svg(const std::string& path, const std::string& title,
                         const Translation& translation, const Tokenizer& source_tokenizer,
                         const Tokenizer& target_tokenizer);

// A token piece for display in plots and logs: spaces show as "␣".
std::string display_piece(const std::string& piece);

}  // namespace ember::seq2seq::cli
