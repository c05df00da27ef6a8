// ember eval: a trained run decodes a split and is scored against its references.
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/cli/machine_log.h"
#include "ember/seq2seq/cli/run_flags.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/metrics/chrf.h"
#include "ember/seq2seq/train/ensemble_run.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Decodes a split with a trained run and scores the outputs against the references:\n"
    "exact match, corpus BLEU and chrF (sacreBLEU's algorithms; --bleu-tokenize none for\n"
    "pre-tokenized text), or ROUGE-1/2/L F1 (rouge-score's; --rouge-stem for its use_stemmer).\n"
    "The data and metric default to the run's own; the data flags override them. Outputs of a\n"
    "word-tokenized run can be scored as running text: --detokenize LANG joins them by Moses'\n"
    "rules, --references FILE gives the raw references, --bleu-tokenize 13a tokenizes both as\n"
    "sacreBLEU does.\n\n"
    "example:\n"
    "  ember eval --run runs/m30k-gru --split test --beam 5 --output hyps.txt\n"
    "  ember eval --run runs/m30k-gru --split test2016 --detokenize en --uppercase-first \\\n"
    "      --references ../shared/data/multi30k/test2016.en.gz --bleu-tokenize 13a";

struct EvalFlags {
  std::string run_dir;
  std::string checkpoint;
  std::string ensemble;
  std::string split;
  std::string output;
  MetricKind metric = MetricKind::kBleu;
  std::string bleu_tokenize;
  bool rouge_stem = false;
  int64_t limit = 0;
  DecodeOptions decode;
  std::string quantize = "none";  // --quantize
  DetokenizeFlags detokenize;
  std::string references;  // scored against instead of the split's targets
};

// Decodes in chunks, so that a terminal shows a bar.
std::vector<Translation> decode_all(LoadedRun& run, const std::vector<std::string>& sources,
                                    const DecodeOptions& decode) {
  constexpr size_t kChunk = 256;
  std::vector<Translation> out;
  for (size_t start = 0; start < sources.size(); start += kChunk) {
    const size_t end = std::min(sources.size(), start + kChunk);
    const std::vector<std::string> chunk(sources.begin() + start, sources.begin() + end);
    for (Translation& t :
         translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, chunk, decode)) {
      out.push_back(std::move(t));
    }
    draw_count_bar("decoding", static_cast<int64_t>(end), static_cast<int64_t>(sources.size()));
  }
  return out;
}

void print_scores(const EvalFlags& f, const std::vector<std::string>& hyps,
                  const std::vector<std::string>& refs) {
  if (f.metric == MetricKind::kBleu) {
    const BleuOptions options{.tokenize = bleu_tokenizer_from_name(f.bleu_tokenize)};
    fmt::print("{}\n{}\n", corpus_bleu(hyps, {refs}, options).format(),
               corpus_chrf(hyps, {refs}).format());
    return;
  }
  const Scores scores =
      score_outputs(f.metric, hyps, refs, f.bleu_tokenize, {.use_stemmer = f.rouge_stem});
  if (f.metric == MetricKind::kExact) {
    fmt::print("exact match: {:.1f}%\n", scores[0].second);
    return;
  }
  fmt::print("ROUGE-1/2/L F1: {:.2f} / {:.2f} / {:.2f}\n", scores[0].second, scores[1].second,
             scores[2].second);
}

}  // namespace

int eval_command(const std::vector<std::string>& args) {
  EvalFlags f;
  f.run_dir = prescan_flag(args, "--run");
  const bool help = has_flag(args, "--help") || has_flag(args, "-h");
  RunConfig config;
  if (!f.run_dir.empty() && !help) {
    EMBER_CHECK(std::filesystem::exists(run_config_path(f.run_dir)),
                "[run] {} is not a run directory (no config.json)", f.run_dir);
    config = load_run_config(run_config_path(f.run_dir));
  }
  f.split = config.data.test_split;
  f.metric = config.train.metric;
  f.bleu_tokenize = config.train.bleu_tokenize;
  f.rouge_stem = config.train.rouge_stem;
  f.decode.max_len = config.train.decode.max_len;  // the run's output length limits
  f.decode.min_len = config.train.decode.min_len;
  f.decode.no_repeat_ngram = config.train.decode.no_repeat_ngram;
  f.decode.disable_unk = config.train.decode.disable_unk;
  f.decode.patience = config.train.decode.patience;
  FlagSet flags("ember eval", kSummary);
  flags.add("--run", "DIR", "run directory (required)", &f.run_dir);
  add_model_choice_flags(flags, f.checkpoint, f.ensemble);
  flags.add("--split", "NAME", "split to score", &f.split);
  flags.add("--output", "FILE", "write the outputs here too", &f.output);
  flags.add_enum("--metric", "scores", &f.metric, metric_names());
  flags.add_choice("--bleu-tokenize", "BLEU tokenization (sacreBLEU's)", &f.bleu_tokenize,
                   bleu_tokenizer_names());
  flags.add_switch("--rouge-stem", "ROUGE on Porter stems (rouge-score's use_stemmer)",
                   &f.rouge_stem);
  flags.add("--limit", "N", "score the first N sentences only (0: all)", &f.limit);
  add_decode_flags(flags, f.decode);
  add_quantize_flag(flags, f.quantize);
  add_detokenize_flags(flags, f.detokenize);
  flags.add("--references", "FILE",
            "score against these lines, not the split's targets (e.g. raw references for 13a)",
            &f.references);
  add_data_flags(flags, config.data);
  add_log_flags(flags);
  if (!parse_command_flags(flags, args)) return 0;  // --help printed
  log_machine();
  EMBER_CHECK(!f.run_dir.empty(), "[flags] ember eval: --run DIR is required");
  f.detokenize.check();
  LoadedRun run = load_decoded_runs(f.run_dir, f.ensemble, f.checkpoint);
  apply_quantize(f.quantize, run);
  set_decode_limits(config, f.decode);
  narrow_decode_limits(run.ensemble_configs, f.decode);
  ParallelText text = load_split(config.data, f.split);
  if (!f.references.empty()) {
    text.target = read_input_lines(f.references);
    EMBER_CHECK(text.target.size() == text.source.size(),
                "[eval] --references {} has {} lines for the {} sentences of split {}",
                f.references, text.target.size(), text.source.size(), f.split);
  }
  if (f.limit > 0 && f.limit < text.size()) {
    text.source.resize(static_cast<size_t>(f.limit));
    text.target.resize(static_cast<size_t>(f.limit));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<Translation> out = decode_all(run, text.source, f.decode);
  warn_cut_sources(count_cut_sources(out), static_cast<int64_t>(out.size()),
                   f.decode.max_source_tokens);
  std::vector<std::string> hyps = hypotheses(out);
  for (std::string& h : hyps) h = f.detokenize.apply(h);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  spdlog::info("{}: {} sentences decoded ({}) in {:.1f} s", f.split, hyps.size(),
               f.decode.beam_size == 1 ? "greedy" : fmt::format("beam {}", f.decode.beam_size),
               seconds);
  if (!f.output.empty()) write_output_lines(f.output, hyps);
  print_scores(f, hyps, text.target);
  return 0;
}

}  // namespace ember::seq2seq::cli
