// ember translate: a trained run translates lines (stdin to stdout, or files), optionally drawing
// the attention weights of the first sentence.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>
#include <type_traits>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/utf8.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/cli/machine_log.h"
#include "ember/seq2seq/report/svg_plot.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Translates one sentence a line with a trained run (ember train / ember demo): from --input\n"
    "(default stdin) to --output (default stdout), in batches, greedy or with --beam K.\n"
    "Typed at a terminal, each line is translated as soon as it is entered.\n\n"
    "example:\n"
    "  echo 'tuesday, 3 march 1998' | ember translate --run runs/dates --attention a.svg";

struct TranslateFlags {
  std::string run_dir;
  std::string checkpoint;
  std::string input = "-";
  std::string output = "-";
  std::string attention;
  DecodeOptions decode;
};

// Typed lines, each translated as soon as it is entered. A line that is not valid UTF-8 is
// reported (as read_lines reports it) and answered with an empty line; the session goes on.
template <typename Translate>
void interactive_loop(const Translate& translate_lines) {
  int64_t number = 0;
  for (std::string line; std::getline(std::cin, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t bad = core::find_invalid_utf8(line);
    if (bad != std::string::npos) {
      spdlog::error("[read_lines] '<stdin>' line {}: invalid UTF-8 at byte {}", number, bad + 1);
      std::cout << std::endl;
      continue;
    }
    std::cout << translate_lines({line})[0].text << std::endl;
  }
}

// A number flag that must lie in [0, max], refused naming the flag and the value.
template <typename T>
void add_bounded(FlagSet& flags, const std::string& name, const std::string& value_name,
                 const std::string& help, T* target, T max) {
  flags.add_custom(
      name, value_name, help,
      [name, target, max](const std::string& v) {
        T value;
        if constexpr (std::is_integral_v<T>) {
          value = parse_int(v, name);
        } else {
          value = parse_number(v, name);
        }
        EMBER_CHECK(value >= 0 && value <= max, "[flags] {} must be in [0, {}], got {}", name, max,
                    v);
        *target = value;
      },
      [target] { return fmt::format("{}", *target); });
}

}  // namespace

void add_decode_flags(FlagSet& flags, DecodeOptions& d) {
  flags.add("--beam", "K", "beam size (1: greedy search)", &d.beam_size);
  flags.add("--length-penalty", "A", "GNMT length penalty alpha of beam search", &d.length_penalty);
  // The bounds of every search (search_detail::check_length_limit), here naming the flag.
  add_bounded(flags, "--max-len-a", "A", "outputs stop at a * source length + b tokens",
              &d.max_len.a, search_detail::kMaxLengthA);
  add_bounded(flags, "--max-len-b", "B", "(see --max-len-a)", &d.max_len.b,
              search_detail::kMaxLengthB);
  flags.add("--batch-tokens", "N", "source tokens decoded in one batch", &d.max_tokens);
}

void write_attention_svg(const std::string& path, const std::string& title,
                         const Translation& translation, const Tokenizer& source_tokenizer,
                         const Tokenizer& target_tokenizer) {
  EMBER_CHECK(translation.attention.defined(),
              "[translate] this model reports no attention weights to draw (rnn without "
              "attention)");
  Heatmap map{
      .title = title, .values = translation.attention, .row_labels = {}, .column_labels = {}};
  for (int64_t id : translation.tokens) {
    map.row_labels.push_back(display_piece(target_tokenizer.piece_of(id)));
  }
  for (int64_t id : translation.source) {
    map.column_labels.push_back(display_piece(source_tokenizer.piece_of(id)));
  }
  if (map.row_labels.size() < static_cast<size_t>(translation.attention.size(0))) {
    map.row_labels.push_back("</s>");  // the weights of the step that ended the output
  }
  core::write_file_atomic(path, svg_heatmap(map), "[translate]");
}

int translate_command(const std::vector<std::string>& args) {
  TranslateFlags f;
  FlagSet flags("ember translate", kSummary);
  flags.add("--run", "DIR", "run directory (required)", &f.run_dir);
  flags.add("--checkpoint", "FILE", "weights (default: the run's best, else last)", &f.checkpoint);
  flags.add("--input", "FILE", "sentences, one a line (plain or .gz; -: stdin)", &f.input);
  flags.add("--output", "FILE", "translations (-: stdout)", &f.output);
  flags.add("--attention", "FILE.svg", "draw the first sentence's attention weights", &f.attention);
  add_decode_flags(flags, f.decode);
  add_log_flags(flags);
  const ParsedArgs parsed = flags.parse(args);
  if (parsed.help) {
    fmt::print("{}", flags.help());
    return 0;
  }
  reject_positionals(parsed, flags);
  log_machine();
  EMBER_CHECK(!f.run_dir.empty(), "[flags] ember translate: --run DIR is required");
  LoadedRun run = load_run(f.run_dir, f.checkpoint);
  f.decode.attention = !f.attention.empty();
  set_decode_limits(run.config, f.decode);
  const auto translate_lines = [&](const std::vector<std::string>& lines) {
    std::vector<Translation> out =
        translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, lines, f.decode);
    warn_cut_sources(count_cut_sources(out), static_cast<int64_t>(out.size()),
                     f.decode.max_source_tokens);
    return out;
  };
  if (f.input == "-" && f.output == "-" && isatty(fileno(stdin)) != 0) {
    interactive_loop(translate_lines);
    return 0;
  }
  const std::vector<std::string> lines = read_input_lines(f.input);
  const std::vector<Translation> out = translate_lines(lines);
  write_output_lines(f.output, hypotheses(out));
  if (!f.attention.empty() && !out.empty()) {
    if (out[0].source.empty()) {
      spdlog::warn("the first sentence is empty: no attention weights to draw");
      return 0;
    }
    write_attention_svg(f.attention, lines[0], out[0], *run.source_tokenizer,
                        *run.target_tokenizer);
    spdlog::info("attention weights of the first sentence: {}", f.attention);
  }
  return 0;
}

}  // namespace ember::seq2seq::cli
