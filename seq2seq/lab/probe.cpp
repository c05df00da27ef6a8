// The probing lab: the recipes, one training run per (task, model), and the scores by length.
#include "ember/seq2seq/lab/probe.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>

#include "ember/core/error.h"
#include "ember/core/threads.h"
#include "ember/seq2seq/data/words.h"
#include "ember/seq2seq/lab/lineup.h"
#include "ember/seq2seq/train/elapsed.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::lab {
namespace {

namespace fs = std::filesystem;

void check_names(const char* what, const std::vector<std::string>& names,
                 const std::vector<std::string>& known) {
  EMBER_CHECK(!names.empty(), "[probe] no {} given", what);
  std::set<std::string> seen;
  for (const std::string& name : names) {
    EMBER_CHECK(std::find(known.begin(), known.end(), name) != known.end(),
                "[probe] unknown {} '{}' (known: {})", what, name, fmt::join(known, ", "));
    EMBER_CHECK(seen.insert(name).second, "[probe] {} '{}' given twice", what, name);
  }
}

// The corpus options of one task (ProbeOptions::corpus leaves the task to each run). The buckets
// are the same for every task a probe may hold together.
ProbingOptions task_corpus(const ProbeOptions& o, const std::string& task) {
  ProbingOptions corpus = o.corpus;
  corpus.task = task;
  return corpus;
}

// The data and tokenizer of a task's runs: the probing corpus, one word per letter.
RunConfig task_config(const ProbeOptions& o, const std::string& task) {
  RunConfig c;
  c.data.builtin = task;
  c.data.probing_train_size = o.corpus.train_size;
  c.data.probing_valid_size = o.corpus.valid_size;
  c.data.probing_test_size = o.corpus.test_size;
  c.data.probing_min_length = o.corpus.min_length;
  c.data.probing_max_length = o.corpus.max_length;
  c.data.probing_test_max_length = o.corpus.test_max_length;
  c.data.probing_buckets = o.corpus.num_buckets;
  c.data.probing_alphabet = o.corpus.alphabet_size;
  c.data.probing_seed = static_cast<int64_t>(o.corpus.seed);
  c.tokenizer.kind = "word";
  c.tokenizer.vocab_size = 0;
  c.tokenizer.min_count = 1;
  c.train = o.train;
  return c;
}

// The vocabulary sizes the runs of a task will have (train_run trains the same tokenizers).
std::pair<int64_t, int64_t> vocab_sizes(const RunConfig& config) {
  const ParallelText train = load_split(config.data, config.data.train_split);
  return {train_tokenizer(config.tokenizer, train.source)->vocab_size(),
          train_tokenizer(config.tokenizer, train.target)->vocab_size()};
}

const Contender& find_contender(const std::vector<Contender>& contenders, const std::string& name) {
  const auto it = std::find_if(contenders.begin(), contenders.end(),
                               [&](const Contender& c) { return c.name == name; });
  EMBER_CHECK(it != contenders.end(), "[probe] the lineup has no model '{}'", name);
  return *it;
}

// Whether the model prefers each test target to its contrastive twin (contrastive_twin):
// log P(target | source) > log P(wrong | source), scored by forced decoding.
std::vector<bool> prefers_correct_targets(LoadedRun& run, const std::string& task,
                                          const ParallelText& test) {
  std::vector<std::string> wrong;
  wrong.reserve(test.target.size());
  for (const std::string& target : test.target) wrong.push_back(contrastive_twin(task, target));
  const std::vector<TargetScore> right_scores =
      score_targets(*run.model, *run.source_tokenizer, *run.target_tokenizer, test.source,
                    test.target);
  const std::vector<TargetScore> wrong_scores = score_targets(
      *run.model, *run.source_tokenizer, *run.target_tokenizer, test.source, wrong);
  std::vector<bool> prefers(test.target.size());
  for (size_t i = 0; i < prefers.size(); ++i) {
    prefers[i] = right_scores[i].log_prob > wrong_scores[i].log_prob;
  }
  return prefers;
}

// Decodes the test split with the run's best checkpoint and scores it by length bucket (and, for
// a grammar task, contrastively).
void score_test_split(const std::string& run_dir, const std::vector<LengthBucket>& buckets,
                      ProbeCell* cell) {
  const auto start = std::chrono::steady_clock::now();
  LoadedRun run = load_run(run_dir);
  const ParallelText test = load_split(run.config.data, run.config.data.test_split);
  DecodeOptions decode;
  set_decode_limits(run.config, decode);  // no output past the models' positions
  const std::vector<Translation> outputs =
      translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, test.source, decode);
  const bool contrastive = is_grammar_task(cell->task);
  const std::vector<bool> prefers =
      contrastive ? prefers_correct_targets(run, cell->task, test) : std::vector<bool>();
  cell->test_seconds = seconds_since(start);
  const size_t B = buckets.size();
  const double total = static_cast<double>(test.size());
  cell->counts.assign(B, 0);
  cell->exact.assign(B, 0.0);
  cell->tokens.assign(B, 0.0);
  if (contrastive) cell->contrastive.assign(B, 0.0);
  for (int64_t i = 0; i < test.size(); ++i) {
    const int64_t b = bucket_index(buckets, probing_length(cell->task, test.source[i]));
    EMBER_CHECK(b >= 0, "[probe] a test source of {} falls in no length bucket", run_dir);
    const double exact = outputs[i].text == test.target[i] ? 1.0 : 0.0;
    const double tokens = probe_token_accuracy(outputs[i].text, test.target[i]);
    cell->counts[b] += 1;
    cell->exact[b] += exact;
    cell->tokens[b] += tokens;
    cell->exact_all += exact / total;
    cell->tokens_all += tokens / total;
    if (contrastive) {
      cell->contrastive[b] += prefers[i] ? 1.0 : 0.0;
      cell->contrastive_all += (prefers[i] ? 1.0 : 0.0) / total;
    }
  }
  for (size_t b = 0; b < B; ++b) {
    const double n = static_cast<double>(std::max<int64_t>(cell->counts[b], 1));
    cell->exact[b] /= n;
    cell->tokens[b] /= n;
    if (contrastive) cell->contrastive[b] /= n;
  }
}

}  // namespace

ProbeOptions probe_defaults(bool quick) {
  ProbeOptions o;
  o.corpus.min_length = 5;
  o.corpus.max_length = 100;
  o.corpus.num_buckets = 6;
  o.corpus.alphabet_size = 20;
  o.corpus.train_size = quick ? 6000 : 20000;
  o.corpus.valid_size = quick ? 240 : 600;
  o.corpus.test_size = quick ? 480 : 1200;
  TrainOptions& t = o.train;
  t.epochs = 1000;  // the updates decide
  t.max_steps = quick ? 1200 : 4000;
  t.max_tokens = 2048;
  t.optimizer = OptimizerKind::kAdamW;
  t.lr = 2e-3f;
  t.schedule = ScheduleKind::kConstant;
  t.warmup_steps = 100;
  t.weight_decay = 0.0f;
  t.label_smoothing = 0.0f;
  t.clip_norm = 1.0f;
  t.metric = MetricKind::kExact;
  t.eval_every = t.max_steps / 4;
  t.eval_sentences = quick ? 120 : 300;
  t.log_every = 50;
  t.samples = 3;
  t.seed = 1;
  return o;
}

const std::vector<std::string>& default_probe_models() {
  static const std::vector<std::string> models = {"lstm", "lstm+additive", "convs2s",
                                                  "transformer"};
  return models;
}

const std::vector<std::string>& all_probe_models() { return lineup_names(); }

ProbeOptions grammar_defaults(const std::string& task, bool quick) {
  EMBER_CHECK(is_grammar_task(task), "[probe] {} is not a grammar task (agreement, sense)", task);
  ProbeOptions o = probe_defaults(quick);
  o.tasks = {task};
  o.corpus.min_length = 1;  // distances of 1 to 8 nouns
  o.corpus.max_length = 8;
  o.corpus.num_buckets = 8;
  return o;
}

void validate(const ProbeOptions& o) {
  check_names("task", o.tasks, probing_tasks());
  for (const std::string& task : o.tasks) {
    EMBER_CHECK(!is_grammar_task(task) || o.tasks.size() == 1,
                "[probe] {}'s buckets are distances, not lengths: probe it alone (ember "
                "probe --{}), not with {}",
                task, task, fmt::join(o.tasks, ", "));
  }
  check_names("model", o.models, all_probe_models());
  EMBER_CHECK(o.size == "tiny" || o.size == "small", "[probe] unknown size '{}' (tiny, small)",
              o.size);
  EMBER_CHECK(o.dropout >= 0.0f && o.dropout < 1.0f, "[probe] dropout must be in [0, 1), got {}",
              o.dropout);
  for (const std::string& task : o.tasks) length_buckets(task_corpus(o, task));
  const int64_t longest = std::max(o.corpus.max_length, o.corpus.test_max_length);
  EMBER_CHECK(longest < kLineupMaxPositions,
              "[probe] sources of {} tokens do not fit the lineup's {} positions (</s> included): "
              "lower --max-length / --test-max-length",
              longest, kLineupMaxPositions);
  EMBER_CHECK(o.train.max_steps >= 1,
              "[probe] --steps must be >= 1, got {}: every model trains a fixed number of updates",
              o.train.max_steps);
  validate(o.train);
}

const ProbeCell& ProbeResult::cell(const std::string& task, const std::string& model) const {
  const auto it = std::find_if(cells.begin(), cells.end(), [&](const ProbeCell& c) {
    return c.task == task && c.model == model;
  });
  EMBER_CHECK(it != cells.end(), "[probe] no result for task '{}' and model '{}'", task, model);
  return *it;
}

ProbeResult run_probe(const ProbeOptions& options, const std::string& dir,
                      const ProbeCallbacks& callbacks, const std::atomic<bool>* stop) {
  validate(options);
  const std::string runs = dir + "/runs";
  EMBER_CHECK(!fs::exists(runs), "[probe] {} already holds probe runs: choose another directory",
              runs);
  const auto note = [&](const std::string& line) {
    if (callbacks.note) callbacks.note(line);
  };
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  ProbeResult result;
  result.options = options;
  result.buckets = length_buckets(task_corpus(options, options.tasks.front()));
  result.threads = core::num_threads();
  for (const std::string& task : options.tasks) {
    RunConfig config = task_config(options, task);
    const auto [src_vocab, tgt_vocab] = vocab_sizes(config);
    const std::vector<Contender> contenders = lineup(options.size, src_vocab, tgt_vocab);
    for (const std::string& model : options.models) {
      const Contender& contender = find_contender(contenders, model);
      config.model = contender.model;
      config.model.dropout = options.dropout;
      const std::string run_dir = fmt::format("{}/{}-{}", runs, task, model);
      note(fmt::format("{} / {}: {} parameters, {}", task, model, contender.parameters, run_dir));
      ProbeCell cell{.task = task, .model = model, .parameters = contender.parameters};
      const auto run_start = std::chrono::steady_clock::now();
      const std::clock_t run_cpu = std::clock();
      const TrainResult trained = train_run(config, run_dir, false, callbacks.training, stop);
      cell.train_seconds = seconds_since(run_start);
      cell.cpu_seconds = cpu_seconds_since(run_cpu);
      cell.steps = trained.steps;
      if (trained.interrupted()) {
        result.interrupted = true;
        break;
      }
      score_test_split(run_dir, result.buckets, &cell);
      note(fmt::format("{} / {}: exact match {:.3f}, token accuracy {:.3f} ({:.0f} s training)",
                       task, model, cell.exact_all, cell.tokens_all, cell.train_seconds));
      result.cells.push_back(std::move(cell));
    }
    if (result.interrupted) break;
  }
  result.wall_seconds = seconds_since(start);
  result.cpu_seconds = cpu_seconds_since(cpu_start);
  return result;
}

double probe_token_accuracy(const std::string& output, const std::string& target) {
  const std::vector<std::string> out = split_words(output), ref = split_words(target);
  const size_t longer = std::max(out.size(), ref.size());
  if (longer == 0) return 1.0;
  size_t same = 0;
  for (size_t i = 0; i < std::min(out.size(), ref.size()); ++i) same += out[i] == ref[i];
  return static_cast<double>(same) / static_cast<double>(longer);
}

}  // namespace ember::seq2seq::lab
