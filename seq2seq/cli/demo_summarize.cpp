// ember demo summarize: a Transformer with a copy mechanism (transformer_seq2seq.h) learns to
// write the subject line of an email from its body on AESLC (Zhang & Tetreault, 2019), then
// writes subjects for unseen emails of the test split and prints ROUGE-1/2/L F1 next to the
// lead-8 baseline (the first 8 words of the body).
// AESLC is real data and not part of the repository: the demo reads it where ../shared/data
// keeps it (the layout <dir>/<split>.tok.{src,tgt}.gz), or from --data.
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/demo.h"
#include "ember/seq2seq/cli/run_flags.h"
#include "ember/seq2seq/data/parallel_corpus.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Trains a Transformer with a copy mechanism to write an email's subject line from its body\n"
    "on AESLC (lowercased, tokenized files; one BPE vocabulary for both sides; bodies cut to\n"
    "their first 64 pieces), then writes subjects for unseen test emails and prints\n"
    "ROUGE-1/2/L F1 over the whole test split, next to the lead-8 baseline (the first 8 words\n"
    "of the body), as its last line. Needs the data set:\n"
    "--data DIR with <DIR>/{train,valid,test}.tok.{src,tgt}.gz (default ../shared/data/aeslc).\n"
    "Tokenizer, model and training flags as in 'ember train --help' change the recipe.";

constexpr const char* kDefaultData = "../shared/data/aeslc";

// The recipe; docs/seq2seq.md has the measured run.
RunConfig aeslc_recipe() {
  RunConfig c;
  c.data.dir = kDefaultData;
  c.data.source_side = "src";
  c.data.target_side = "tgt";
  c.data.tokenized = true;
  c.data.max_source_tokens = 64;  // the body's first 64 pieces: subjects mostly come from there
  c.data.truncate_source = true;
  c.data.max_target_tokens = 24;
  // Subword pieces, so that no subject word becomes <unk> (with words at min-count 2, <unk> is
  // the most frequent target token and a young model writes nothing else); one vocabulary for
  // bodies and subjects, so that the model can copy a body's pieces into the subject.
  c.tokenizer.kind = "bpe";
  c.tokenizer.vocab_size = 8000;
  c.tokenizer.shared = true;
  c.model = preset(Architecture::kTransformer, "small");
  c.model.copy = true;     // pointer-generator: subjects reuse the body's words
  c.model.dropout = 0.2f;  // 14k examples: a small data set for 8M parameters
  c.train.epochs = 12;
  c.train.max_tokens = 4000;
  c.train.lr = 1e-3f;
  c.train.schedule = ScheduleKind::kCosine;
  c.train.warmup_steps = 200;
  c.train.min_lr = 1e-5f;
  c.train.decode.max_len = {.a = 0.0, .b = 24};  // a subject is short, whatever the body's length
  c.train.log_every = 50;
  c.train.eval_sentences = 500;
  c.train.metric = MetricKind::kRouge;
  return c;
}

// The lead-n baseline: the first n whitespace-separated words of each text.
std::vector<std::string> lead_words(const std::vector<std::string>& texts, int n) {
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) {
    std::istringstream words(text);
    std::string word, lead;
    for (int i = 0; i < n && words >> word; ++i) lead += (i > 0 ? " " : "") + word;
    out.push_back(lead);
  }
  return out;
}

std::string shortened(const std::string& text, size_t chars) {
  return text.size() <= chars ? text : text.substr(0, chars - 3) + "...";
}

void show_examples(const ParallelText& test, const std::vector<std::string>& out, int64_t n) {
  fmt::print("\nunseen emails (test split):\n");
  for (size_t i = 0; i < std::min(out.size(), static_cast<size_t>(n)); ++i) {
    fmt::print("  body:      {}\n  ember:     {}\n  reference: {}\n\n",
               shortened(test.source[i], 90), out[i], test.target[i]);
  }
}

std::string rouge_line(const Scores& s) {
  return fmt::format("{:.2f} / {:.2f} / {:.2f}", s[0].second, s[1].second, s[2].second);
}

}  // namespace

int demo_summarize(const std::vector<std::string>& args) {
  RunConfig config = aeslc_recipe();
  std::string run_dir;
  int64_t examples = 5;
  DecodeOptions decode;
  FlagSet flags("ember demo summarize", kSummary);
  flags.add("--run-dir", "DIR", "run directory (default: runs/aeslc-<time>)", &run_dir);
  flags.add("--data", "DIR", "the AESLC directory", &config.data.dir);
  flags.add("--examples", "N", "test emails shown", &examples);
  flags.add("--beam", "K", "beam size of the test decoding (1: greedy search)", &decode.beam_size);
  add_tokenizer_flags(flags, config.tokenizer);
  if (!parse_run_flags(flags, args, config)) return 0;
  const std::string probe = corpus_files(config.data.dir, config.data.train_split, "src", "tgt",
                                         true).source;
  EMBER_CHECK(std::filesystem::exists(probe),
              "[demo] no AESLC data: {} does not exist; give --data DIR, a directory with "
              "{{train,valid,test}}.tok.{{src,tgt}}.gz (see docs/seq2seq.md)",
              probe);
  if (run_dir.empty()) run_dir = timestamped_dir("runs", "aeslc");

  spdlog::info("ember demo summarize: email subject lines on AESLC ({})", config.data.dir);
  const auto t0 = std::chrono::steady_clock::now();
  const std::optional<double> train_wall = train_demo(config, run_dir);
  if (!train_wall) return interrupt_exit_code();

  LoadedRun run = load_run(run_dir);
  const ParallelText test = load_split(run.config.data, run.config.data.test_split);
  set_decode_limits(run.config, decode);
  decode.max_len = run.config.train.decode.max_len;
  const std::vector<std::string> out = hypotheses(
      translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, test.source, decode));
  show_examples(test, out, examples);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("trained in {:.0f} s; {:.0f} s from the start of training to here\n", *train_wall,
             total);
  fmt::print("test split, {} emails, {}\n", test.size(),
             decode.beam_size == 1 ? "greedy search" : fmt::format("beam {}", decode.beam_size));
  fmt::print(
      "lead-8 baseline ROUGE-1/2/L F1: {}\n",
      rouge_line(score_outputs(MetricKind::kRouge, lead_words(test.source, 8), test.target)));
  fmt::print("ROUGE-1/2/L F1: {}\n",
             rouge_line(score_outputs(MetricKind::kRouge, out, test.target)));
  return 0;
}

}  // namespace ember::seq2seq::cli
