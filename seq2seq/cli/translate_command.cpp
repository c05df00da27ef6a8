// ember translate: a trained run translates lines (stdin to stdout, or files): best translations,
// optionally with their model scores, detokenized, or n-best lists; or, with --score, the model's
// log-probability of given targets (forced decoding). It can draw the first sentence's attention
// weights, and reports its speed on stderr.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <type_traits>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/utf8.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/cli/machine_log.h"
#include "ember/seq2seq/data/detokenizer.h"
#include "ember/seq2seq/report/svg_plot.h"
#include "ember/seq2seq/train/ensemble_run.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Translates one sentence a line with a trained run (ember train / ember demo): from --input\n"
    "(default stdin) to --output (default stdout), greedy or with --beam K, sorted by length into\n"
    "batches of --batch-tokens and written in the input order. Typed at a terminal, each line is\n"
    "translated as soon as it is entered. The speed (sentences/s, tokens/s) goes to the log on\n"
    "stderr at the end (not under --quiet).\n\n"
    "Output lines:\n"
    "  default          the translation\n"
    "  --print-scores   <log P>\\t<translation>: the model's log-probability of the output\n"
    "  --n-best K       K lines a sentence, best first: '<id> ||| <translation> ||| F0= <log P> "
    "|||\n"
    "                   <score>' (Marian's format; id from 0, score = log P / lp, the search's\n"
    "                   ranking, see docs/seq2seq.md; a blank input line gives one empty entry)\n"
    "  --score FILE     no translation: the log P of line i of FILE given source line i (forced\n"
    "                   decoding; --normalize: divided by its tokens, </s> included)\n\n"
    "examples:\n"
    "  echo 'tuesday, 3 march 1998' | ember translate --run runs/dates --attention a.svg\n"
    "  ember translate --run runs/m30k --beam 5 --n-best 5 --input test.de > nbest.txt\n"
    "  ember translate --run runs/m30k --detokenize en --uppercase-first < test.de > out.en\n"
    "  ember translate --run runs/m30k --input test.de --score hyps.en > scores.txt";

struct TranslateFlags {
  std::string run_dir;
  std::string checkpoint;
  std::string ensemble;
  std::string input = "-";
  std::string output = "-";
  std::string attention;
  bool nbest_lines = false;  // --n-best given: Marian's n-best lines (decode.n_best of them)
  bool print_scores = false;
  DetokenizeFlags detokenize;
  std::string score;  // --score FILE: the targets to score
  bool normalize = false;
  DecodeOptions decode;
  std::string quantize = "none";  // --quantize
};

// The flags that go together, checked once all are parsed; each refusal names its flag.
void check_flags(const TranslateFlags& f) {
  EMBER_CHECK(f.decode.n_best >= 1 && f.decode.n_best <= f.decode.beam_size,
              "[flags] --n-best must be in [1, --beam] (the list is the beam's best: --beam {} "
              "gives at most {}), got {}",
              f.decode.beam_size, f.decode.beam_size, f.decode.n_best);
  f.detokenize.check();
  EMBER_CHECK(!f.normalize || !f.score.empty(), "[flags] --normalize applies to --score only");
  if (f.score.empty()) return;
  for (const auto& [given, name] :
       {std::pair{f.nbest_lines, "--n-best"}, std::pair{f.print_scores, "--print-scores"},
        std::pair{f.detokenize.language.has_value(), "--detokenize"},
        std::pair{!f.attention.empty(), "--attention"},
        std::pair{f.decode.beam_size != 1, "--beam"}}) {
    EMBER_CHECK(!given, "[flags] --score scores the given targets without decoding: it takes no {}",
                name);
  }
  EMBER_CHECK(f.score != "-" || f.input != "-",
              "[flags] --score - and --input - would both read stdin: give one of them a file");
}

// The output lines of sentence `id` from its n-best list (see kSummary).
std::vector<std::string> output_lines(const std::vector<Translation>& list, int64_t id,
                                      const TranslateFlags& f) {
  if (f.nbest_lines) {
    std::vector<std::string> lines;
    for (const Translation& t : list)
      lines.push_back(fmt::format("{} ||| {} ||| F0= {:.6f} ||| {:.6f}", id,
                                  f.detokenize.apply(t.text), t.log_prob, t.score));
    return lines;
  }
  const Translation& best = list.front();
  if (f.print_scores)
    return {fmt::format("{:.6f}\t{}", best.log_prob, f.detokenize.apply(best.text))};
  return {f.detokenize.apply(best.text)};
}

// The log line of a translation's speed: sentences, tokens (</s> not counted; the target's of
// the best translations) and wall time.
void report_speed(int64_t sentences, int64_t source_tokens, int64_t target_tokens, double seconds) {
  const double s = std::max(seconds, 1e-9);
  spdlog::info(
      "translated {} sentences ({} source, {} target tokens) in {:.2f} s: {:.1f} sentences/s, "
      "{:.0f} source and {:.0f} target tokens/s",
      sentences, source_tokens, target_tokens, seconds, static_cast<double>(sentences) / s,
      static_cast<double>(source_tokens) / s, static_cast<double>(target_tokens) / s);
}

// Typed lines, each translated as soon as it is entered. A line that is not valid UTF-8 is
// reported (as read_lines reports it) and answered with an empty line; the session goes on.
template <typename Answer>
void interactive_loop(const Answer& answer) {
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
    for (const std::string& out : answer(line, number - 1)) std::cout << out << '\n';
    std::cout.flush();
  }
}

// --score: one log P a line (forced decoding), then the speed.
void score_lines(const TranslateFlags& f, LoadedRun& run) {
  const std::vector<std::string> sources = read_input_lines(f.input);
  const std::vector<std::string> targets = read_input_lines(f.score);
  EMBER_CHECK(sources.size() == targets.size(),
              "[translate] --score {} has {} lines for {} source lines: one target a source",
              f.score, targets.size(), sources.size());
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<TargetScore> scores = score_targets(
      *run.model, *run.source_tokenizer, *run.target_tokenizer, sources, targets, f.decode);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::string> lines;
  int64_t cut = 0, unknown = 0, target_tokens = 0;
  for (const TargetScore& s : scores) {
    lines.push_back(fmt::format(
        "{:.6f}", f.normalize ? s.log_prob / static_cast<double>(s.tokens) : s.log_prob));
    cut += s.source_cut;
    unknown += s.unknown > 0;
    target_tokens += s.tokens - 1;
  }
  write_output_lines(f.output, lines);
  warn_cut_sources(cut, static_cast<int64_t>(scores.size()), f.decode.max_source_tokens);
  if (unknown > 0)
    spdlog::warn("{} of {} targets have pieces outside the model's vocabulary, scored as <unk>",
                 unknown, scores.size());
  spdlog::info("scored {} targets ({} tokens) in {:.2f} s: {:.1f} targets/s, {:.0f} tokens/s",
               scores.size(), target_tokens, seconds,
               static_cast<double>(scores.size()) / std::max(seconds, 1e-9),
               static_cast<double>(target_tokens) / std::max(seconds, 1e-9));
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
  flags.add_custom(
      "--beam-patience", "P",
      "a sentence's beam search ends at P * K finished outputs (Kasai et al. 2022; CTranslate2's "
      "patience)",
      [&d](const std::string& v) {
        const double value = parse_number(v, "--beam-patience");
        EMBER_CHECK(value > 0.0 && value <= search_detail::kMaxPatience,
                    "[flags] --beam-patience must be in (0, {}], got {}",
                    search_detail::kMaxPatience, v);
        d.patience = static_cast<float>(value);
      },
      [&d] { return fmt::format("{}", d.patience); });
  // The bounds of every search (search_detail::check_length_limit), here naming the flag.
  add_bounded(flags, "--max-len-a", "A", "outputs stop at a * source length + b tokens",
              &d.max_len.a, search_detail::kMaxLengthA);
  add_bounded(flags, "--max-len-b", "B", "(see --max-len-a)", &d.max_len.b,
              search_detail::kMaxLengthB);
  add_bounded(flags, "--min-len", "N", "no </s> before N output tokens (the maximum length wins)",
              &d.min_len, search_detail::kMaxLengthB);
  add_bounded(flags, "--no-repeat-ngram", "N",
              "no N-gram of output pieces twice in an output (0: off; fairseq's "
              "--no-repeat-ngram-size)",
              &d.no_repeat_ngram, search_detail::kMaxLengthB);
  flags.add_switch("--disable-unk", "never output <unk> (CTranslate2's disable_unk)",
                   &d.disable_unk);
  flags.add_enum("--mbr",
                 "minimum Bayes-risk decoding: of the beam's outputs, the one with the "
                 "highest expected utility under the model (Kumar & Byrne 2004)",
                 &d.mbr, mbr_utility_names());
  flags.add("--batch-tokens", "N", "source tokens decoded in one batch", &d.max_tokens);
}

void DetokenizeFlags::check() const {
  EMBER_CHECK(!uppercase_first || language.has_value(),
              "[flags] --uppercase-first applies with --detokenize LANG only");
}

std::string DetokenizeFlags::apply(const std::string& output) const {
  return language ? detokenize(output, *language, {.uppercase_first = uppercase_first}) : output;
}

void add_detokenize_flags(FlagSet& flags, DetokenizeFlags& d) {
  flags.add_choice_of(
      "--detokenize", "join the word tokens of outputs into text by Moses' rules for LANG",
      detokenizer_language_names().names(),
      [&d](const std::string& v) { d.language = detokenizer_language_names().parse(v); },
      [] { return std::string("off"); });
  flags.add_switch("--uppercase-first", "with --detokenize: uppercase each output's first letter",
                   &d.uppercase_first);
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
  add_model_choice_flags(flags, f.checkpoint, f.ensemble);
  flags.add("--input", "FILE", "sentences, one a line (plain or .gz; -: stdin)", &f.input);
  flags.add("--output", "FILE", "translations (-: stdout)", &f.output);
  flags.add("--attention", "FILE.svg", "draw the first sentence's attention weights", &f.attention);
  add_decode_flags(flags, f.decode);
  add_quantize_flag(flags, f.quantize);
  flags.add_custom(
      "--n-best", "K", "K translations a sentence in Marian's n-best format (K <= --beam)",
      [&f](const std::string& v) {
        f.decode.n_best = parse_int(v, "--n-best");
        f.nbest_lines = true;
      },
      [&f] { return fmt::format("{}", f.decode.n_best); });
  flags.add_switch("--print-scores", "each translation after its model log P and a tab",
                   &f.print_scores);
  add_detokenize_flags(flags, f.detokenize);
  flags.add("--score", "FILE",
            "score line i of FILE as the translation of source line i instead of translating",
            &f.score);
  flags.add_switch("--normalize", "with --score: log P per target token (</s> included)",
                   &f.normalize);
  add_log_flags(flags);
  if (!parse_command_flags(flags, args)) return 0;  // --help printed
  log_machine();
  EMBER_CHECK(!f.run_dir.empty(), "[flags] ember translate: --run DIR is required");
  check_flags(f);
  LoadedRun run = load_decoded_runs(f.run_dir, f.ensemble, f.checkpoint);
  apply_quantize(f.quantize, run);
  f.decode.attention = !f.attention.empty();
  set_decode_limits(run.config, f.decode);
  narrow_decode_limits(run.ensemble_configs, f.decode);
  if (!f.score.empty()) {
    score_lines(f, run);
    return 0;
  }
  const auto translate_lines = [&](const std::vector<std::string>& lines) {
    std::vector<std::vector<Translation>> out =
        translate_nbest(*run.model, *run.source_tokenizer, *run.target_tokenizer, lines, f.decode);
    warn_cut_sources(std::count_if(out.begin(), out.end(),
                                   [](const auto& list) { return list.front().source_cut; }),
                     static_cast<int64_t>(out.size()), f.decode.max_source_tokens);
    return out;
  };
  if (f.input == "-" && f.output == "-" && isatty(fileno(stdin)) != 0) {
    interactive_loop([&](const std::string& line, int64_t id) {
      return output_lines(translate_lines({line})[0], id, f);
    });
    return 0;
  }
  const std::vector<std::string> lines = read_input_lines(f.input);
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::vector<Translation>> out = translate_lines(lines);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::string> text;
  int64_t source_tokens = 0, target_tokens = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    for (std::string& line : output_lines(out[i], static_cast<int64_t>(i), f))
      text.push_back(std::move(line));
    const Translation& best = out[i].front();
    source_tokens += std::max<int64_t>(static_cast<int64_t>(best.source.size()) - 1, 0);
    target_tokens += static_cast<int64_t>(best.tokens.size());
  }
  write_output_lines(f.output, text);
  report_speed(static_cast<int64_t>(out.size()), source_tokens, target_tokens, seconds);
  if (!f.attention.empty() && !out.empty()) {
    const Translation& first = out[0].front();
    if (first.source.empty()) {
      spdlog::warn("the first sentence is empty: no attention weights to draw");
      return 0;
    }
    write_attention_svg(f.attention, lines[0], first, *run.source_tokenizer, *run.target_tokenizer);
    spdlog::info("attention weights of the first sentence: {}", f.attention);
  }
  return 0;
}

}  // namespace ember::seq2seq::cli
