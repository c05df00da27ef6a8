// ember demo summarize: a Transformer with a copy mechanism (transformer_seq2seq.h) learns to
// write the subject line of an email from its body on AESLC (Zhang & Tetreault, 2019), then
// writes subjects for unseen emails of the test split and prints ROUGE-1/2/L F1 next to the
// lead-8 baseline (the first 8 words of the body).
// AESLC is real data and not part of the repository: the demo reads it where ../shared/data
// keeps it (the layout <dir>/<split>.tok.{src,tgt}.gz), or from --data.
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/demo.h"
#include "ember/seq2seq/cli/run_flags.h"
#include "ember/seq2seq/data/parallel_corpus.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/metrics/scorer.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Trains a Transformer with a copy mechanism to write an email's subject line from its body\n"
    "on AESLC (lowercased, tokenized files; one word vocabulary for both sides; bodies cut to\n"
    "their first 64 words), then writes subjects for unseen test emails and prints\n"
    "ROUGE-1/2/L F1 over the whole test split, next to the lead-8 baseline (the first 8 words\n"
    "of the body), as its last line. Where the annotators' subjects lie beside the test files\n"
    "(AESLC's test.tok.ann{0,1,2}.gz), the line before scores both against the best of the\n"
    "original subject and those. Needs the data set:\n"
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
  c.data.max_source_tokens = 64;  // the body's first 64 words: subjects mostly come from there
  c.data.truncate_source = true;
  c.data.max_target_tokens = 24;
  // Whole words, those seen at least twice in bodies and subjects together (25,824 on AESLC's
  // training split): one vocabulary for both sides, so that the model can copy a body's words
  // into the subject. Subword pieces (BPE) let a copying model glue pieces into non-words
  // ("continup", "specialasties") and scored 1.7 to 3.6 ROUGE-1 lower on test (greedy,
  // docs/seq2seq.md); the 3% of test subject words outside this vocabulary are lost, and <unk>
  // is never written.
  c.tokenizer.kind = "word";
  c.tokenizer.min_count = 2;
  c.tokenizer.vocab_size = 0;  // every word seen twice
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
  c.train.decode.disable_unk = true;             // validation and test outputs never say <unk>
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

// AESLC's valid and test emails also carry three subjects written by annotators,
// <split>.tok.ann{0,1,2}.gz beside the split's files: each present file, line i the email i's.
std::vector<std::vector<std::string>> annotator_subjects(const std::string& dir,
                                                         const std::string& split, size_t emails) {
  std::vector<std::vector<std::string>> subjects;
  for (int k = 0;; ++k) {
    const std::string path =
        (std::filesystem::path(dir) / fmt::format("{}.tok.ann{}.gz", split, k)).string();
    if (!std::filesystem::exists(path)) break;
    subjects.push_back(read_lines(path));
    EMBER_CHECK(subjects.back().size() == emails,
                "[demo] {} has {} lines for {} emails of the {} split (need one a line)", path,
                subjects.back().size(), emails, split);
  }
  return subjects;
}

// ROUGE-1/2/L F1 of each output against the best of its references (rouge-score's
// score_multi), the mean over the outputs: `ember score`'s computation.
std::string rouge_line(const std::vector<std::string>& outputs,
                       const std::vector<std::vector<std::string>>& references) {
  std::vector<std::string> parts;
  for (const auto& metric : make_metrics("rouge", {})) {
    const std::vector<std::vector<double>> stats = corpus_stats(*metric, outputs, references);
    parts.push_back(fmt::format("{:.2f}", metric->score(sum_stats(stats), stats.size()).score));
  }
  return fmt::format("{}", fmt::join(parts, " / "));
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

  // The test split and its annotators' subjects are read before training, so that a damaged
  // file is reported before an hour is spent.
  const ParallelText test = load_split(config.data, config.data.test_split);
  std::vector<std::vector<std::string>> references =
      annotator_subjects(config.data.dir, config.data.test_split, test.source.size());
  references.push_back(test.target);

  spdlog::info("ember demo summarize: email subject lines on AESLC ({})", config.data.dir);
  const auto t0 = std::chrono::steady_clock::now();
  const std::optional<double> train_wall = train_demo(config, run_dir);
  if (!train_wall) return interrupt_exit_code();

  LoadedRun run = load_run(run_dir);
  const int64_t beam_size = decode.beam_size;
  decode = run.config.train.decode;  // the run's decoding: its length limits, <unk> barred
  decode.beam_size = beam_size;
  set_decode_limits(run.config, decode);
  const std::vector<std::string> out = hypotheses(
      translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, test.source, decode));
  show_examples(test, out, examples);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("trained in {:.0f} s; {:.0f} s from the start of training to here\n", *train_wall,
             total);
  fmt::print("test split, {} emails, {}\n", test.size(),
             decode.beam_size == 1 ? "greedy search" : fmt::format("beam {}", decode.beam_size));
  const std::vector<std::string> lead = lead_words(test.source, 8);
  if (references.size() > 1) {
    fmt::print(
        "against the subject and the {} annotators' (the best of the {} per email), ROUGE-1/2/L "
        "F1: lead-8 {}, ember {}\n",
        references.size() - 1, references.size(), rouge_line(lead, references),
        rouge_line(out, references));
  }
  fmt::print("lead-8 baseline ROUGE-1/2/L F1: {}\n", rouge_line(lead, {test.target}));
  fmt::print("ROUGE-1/2/L F1: {}\n", rouge_line(out, {test.target}));
  return 0;
}

}  // namespace ember::seq2seq::cli
