#include "ember/seq2seq/lab/compare.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "ember/core/error.h"
#include "ember/distributed/collectives.h"
#include "ember/seq2seq/lab/compare_attention.h"
#include "ember/seq2seq/lab/lab_result.h"
#include "ember/seq2seq/lab/lineup.h"
#include "ember/seq2seq/train/elapsed.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/rank_agreement.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq::lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What validate() leaves out: the report directory.
void check_out_dir(const CompareOptions& o) {
  EMBER_CHECK(!o.out_dir.empty(), "[compare] no report directory given");
  EMBER_CHECK(
      !fs::exists(fs::path(o.out_dir) / "runs") && !fs::exists(fs::path(o.out_dir) / "report.md"),
      "[compare] {} already holds a comparison: choose another report directory", o.out_dir);
}

// The test pairs with a reference, the first `limit` of them (0: all).
ParallelText test_pairs(const DataConfig& data, int64_t limit) {
  const ParallelText text = load_split(data, data.test_split);
  ParallelText out;
  for (int64_t i = 0; i < text.size(); ++i) {
    if (limit > 0 && out.size() >= limit) break;
    if (text.target[i].find_first_not_of(" \t\r") == std::string::npos) continue;
    out.source.push_back(text.source[i]);
    out.target.push_back(text.target[i]);
  }
  EMBER_CHECK(out.size() > 0, "[compare] the test split '{}' has no sentence pair",
              data.test_split);
  return out;
}

// Up to `count` buckets of about equal size, split between distinct lengths.
std::vector<LengthBucket> length_buckets(const std::vector<int64_t>& lengths, int64_t count) {
  std::vector<int64_t> sorted = lengths;
  std::sort(sorted.begin(), sorted.end());
  const auto n = static_cast<int64_t>(sorted.size());
  std::vector<int64_t> starts = {sorted.front()};  // each bucket's shortest length
  for (int64_t k = 1; k < count; ++k) {
    const int64_t edge = sorted[static_cast<size_t>(k * n / count)];
    if (edge > starts.back()) starts.push_back(edge);
  }
  std::vector<LengthBucket> buckets;
  for (size_t b = 0; b < starts.size(); ++b) {
    LengthBucket bucket{.min_tokens = starts[b],
                        .max_tokens = b + 1 < starts.size() ? starts[b + 1] - 1 : sorted.back()};
    int64_t sum = 0;
    for (int64_t length : sorted)
      if (length >= bucket.min_tokens && length <= bucket.max_tokens)
        ++bucket.sentences, sum += length;
    bucket.mean_tokens = static_cast<double>(sum) / static_cast<double>(bucket.sentences);
    buckets.push_back(bucket);
  }
  return buckets;
}

// The sentence of the attention figures: the first of at least the 75th percentile of source
// length (long enough to show an alignment) and at most 40 tokens (a readable figure).
size_t attention_sentence(const std::vector<int64_t>& lengths) {
  std::vector<int64_t> sorted = lengths;
  std::sort(sorted.begin(), sorted.end());
  const int64_t long_enough = sorted[sorted.size() * 3 / 4];
  for (size_t i = 0; i < lengths.size(); ++i)
    if (lengths[i] >= long_enough && lengths[i] <= 40) return i;
  return 0;
}

double primary_score(MetricKind metric, const std::vector<std::string>& hypotheses,
                     const std::vector<std::string>& references, const std::string& tokenize) {
  return score_outputs(metric, hypotheses, references, tokenize).front().second;
}

// The progress of one training run, and what the comparison keeps of it: the loss curve and the
// target tokens trained on. A step event's tokens_per_s covers the updates since the previous
// report, so tokens = rate x the training time since that report.
class RunRecorder {
 public:
  RunRecorder(std::string name, std::string score_name, const CompareProgress& progress)
      : name_(std::move(name)), score_name_(std::move(score_name)), progress_(progress) {}

  void operator()(const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kStep) {
      pending_tokens_ = e.tokens_per_s * (e.elapsed_s - report_seconds_);
      if (e.report) {
        tokens_ += pending_tokens_;
        pending_tokens_ = 0.0;
        report_seconds_ = e.elapsed_s;
      }
    }
    if (e.kind == ProgressEvent::Kind::kEvaluation) {
      LossPoint point{.step = e.step,
                      .train_seconds = e.elapsed_s,
                      .train_cpu_seconds = e.cpu_s,
                      .valid_loss = e.valid_loss};
      for (const auto& [score, value] : e.scores)
        if (score == score_name_) point.valid_score = value;
      curve_.push_back(point);
    }
    if (progress_) progress_(name_, e);
  }

  double tokens() const { return tokens_ + pending_tokens_; }
  const std::vector<LossPoint>& curve() const { return curve_; }

 private:
  std::string name_;
  std::string score_name_;
  const CompareProgress& progress_;
  double tokens_ = 0.0;
  double pending_tokens_ = 0.0;
  double report_seconds_ = 0.0;
  std::vector<LossPoint> curve_;
};

// Decodes the test sources with `decode`, timed; returns the outputs' texts.
std::vector<std::string> timed_translate(const LoadedRun& run,
                                         const std::vector<std::string>& sources,
                                         const DecodeOptions& decode, double* sentences_per_s) {
  const auto t0 = Clock::now();
  const std::vector<Translation> out =
      translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, sources, decode);
  *sentences_per_s = static_cast<double>(sources.size()) / std::max(seconds_since(t0), 1e-9);
  return hypotheses(out);
}

// The time to the target: the training time of the first evaluation at or below it.
void time_to_target(Comparison& c) {
  if (c.target_automatic) {
    c.target_loss = 0.0;
    for (const ContenderResult& r : c.contenders)
      if (std::isfinite(r.best_valid_loss))
        c.target_loss = std::max(c.target_loss, r.best_valid_loss);
  }
  for (ContenderResult& r : c.contenders) {
    r.seconds_to_target = kNotReached;
    for (const LossPoint& p : r.curve)
      if (p.valid_loss <= c.target_loss) {
        r.seconds_to_target = p.train_seconds;
        break;
      }
  }
}

// Trains one contender into its run directory and measures it into r (whose name, summary,
// parameters and run_dir are set); false when the stop flag ended its training.
bool train_and_measure(const RunConfig& config, const Comparison& c, const ParallelText& test,
                       const std::vector<int64_t>& lengths, const CompareProgress& progress,
                       const std::atomic<bool>* stop, ContenderResult& r) {
  const CompareOptions& options = c.options;
  RunRecorder recorder(r.name, c.score_name, progress);
  const auto t0 = Clock::now();
  const std::clock_t cpu0 = std::clock();
  const TrainResult trained = train_run(
      config, r.run_dir, false, [&recorder](const ProgressEvent& e) { recorder(e); }, stop);
  r.cpu_seconds = cpu_seconds_since(cpu0);
  r.wall_seconds = seconds_since(t0);
  if (trained.interrupted()) return false;
  r.steps = trained.steps;
  r.train_seconds = trained.train_seconds;
  r.tokens_per_s = recorder.tokens() / std::max(trained.train_seconds, 1e-9);
  r.curve = recorder.curve();
  for (const LossPoint& p : r.curve)
    if (std::isfinite(p.valid_loss) &&
        (std::isnan(r.best_valid_loss) || p.valid_loss < r.best_valid_loss))
      r.best_valid_loss = p.valid_loss;

  if (progress)
    progress(r.name, {.kind = ProgressEvent::Kind::kInfo,
                      .message = fmt::format("{}: decoding {} test sentences (greedy, beam {})",
                                             r.name, test.size(), options.beam_size)});
  const LoadedRun run = load_run(r.run_dir);
  EMBER_CHECK(run.config.model.src_vocab_size == c.src_vocab &&
                  run.config.model.tgt_vocab_size == c.tgt_vocab,
              "[compare] {} trained vocabularies of {}/{} tokens, the lineup was matched for "
              "{}/{}",
              r.name, run.config.model.src_vocab_size, run.config.model.tgt_vocab_size, c.src_vocab,
              c.tgt_vocab);
  const MetricKind metric = config.train.metric;
  const std::string& tokenize = config.train.bleu_tokenize;
  DecodeOptions greedy_search;
  greedy_search.max_source_tokens = kLineupMaxPositions - 1;  // what every model can read
  DecodeOptions beam_search = greedy_search;
  beam_search.beam_size = options.beam_size;
  const std::vector<std::string> greedy =
      timed_translate(run, test.source, greedy_search, &r.greedy_sentences_per_s);
  const std::vector<std::string> beam =
      timed_translate(run, test.source, beam_search, &r.beam_sentences_per_s);
  r.greedy_score = primary_score(metric, greedy, test.target, tokenize);
  r.beam_score = primary_score(metric, beam, test.target, tokenize);
  for (const LengthBucket& bucket : c.buckets) {
    std::vector<std::string> hyps, refs;
    for (size_t i = 0; i < lengths.size(); ++i)
      if (lengths[i] >= bucket.min_tokens && lengths[i] <= bucket.max_tokens) {
        hyps.push_back(greedy[i]);
        refs.push_back(test.target[i]);
      }
    r.bucket_scores.push_back(primary_score(metric, hyps, refs, tokenize));
  }
  for (size_t i = 0; i < std::min(kResultSamples, greedy.size()); ++i)
    r.samples.push_back({test.source[i], test.target[i], greedy[i], beam[i]});
  r.attention = attention_figures(*run.model, r.name, *run.source_tokenizer, *run.target_tokenizer,
                                  c.attention_source);
  return true;
}

// Under mpirun, after every rank's contenders: each rank's failure ("" for none) gathered, waiting
// for as long as the slowest rank trains, and thrown on every rank.
void gather_failures(const std::string& mine) {
  if (distributed::world_size() == 1) return;
  std::vector<std::string> failures;
  for (const std::string& failure :
       distributed::all_gather(mine, std::numeric_limits<double>::infinity()))
    if (!failure.empty()) failures.push_back(failure);
  EMBER_CHECK(failures.empty(), "[compare] {} of {} ranks failed: {}", failures.size(),
              distributed::world_size(), fmt::join(failures, "; "));
}

}  // namespace

void validate(const CompareOptions& o) {
  EMBER_CHECK(o.size == "tiny" || o.size == "small",
              "[compare] unknown size '{}' (expected tiny or small)", o.size);
  EMBER_CHECK(o.beam_size >= 1, "[compare] beam size {} must be at least 1", o.beam_size);
  EMBER_CHECK(o.test_sentences >= 0, "[compare] test sentences {} must be >= 0 (0: all)",
              o.test_sentences);
  EMBER_CHECK(o.length_buckets >= 1, "[compare] length buckets {} must be at least 1",
              o.length_buckets);
  EMBER_CHECK(o.target_loss >= 0.0, "[compare] target loss {} must be >= 0 (0: automatic)",
              o.target_loss);
  std::vector<std::string> slugs;
  for (const std::string& name : lineup_names()) slugs.push_back(slug(name));
  std::vector<std::string> seen;
  for (const std::string& model : o.models) {
    EMBER_CHECK(std::find(slugs.begin(), slugs.end(), slug(model)) != slugs.end(),
                "[compare] unknown model '{}' (the lineup's: {})", model, fmt::join(slugs, ", "));
    EMBER_CHECK(std::find(seen.begin(), seen.end(), slug(model)) == seen.end(),
                "[compare] model '{}' given twice", model);
    seen.push_back(slug(model));
  }
  seq2seq::validate(o.run.train);
}

std::vector<std::string> selected_models(const CompareOptions& o) {
  std::vector<std::string> out;
  for (const std::string& name : lineup_names())
    if (o.models.empty() || std::any_of(o.models.begin(), o.models.end(),
                                        [&](const auto& m) { return slug(m) == slug(name); }))
      out.push_back(name);
  return out;
}

CompareOptions quick_options() {
  CompareOptions o;
  o.size = "tiny";
  DataConfig& d = o.run.data;
  d.builtin = "dates";
  d.dates_valid_size = 500;
  o.run.tokenizer.kind = "char";
  o.run.tokenizer.vocab_size = 0;
  // The recipe of `ember demo translate` (one learning rate for every model), a fixed number of
  // updates instead of its epochs.
  TrainOptions& t = o.run.train;
  t.epochs = 1000;
  t.max_steps = 3000;
  t.max_tokens = 2048;
  t.lr = 3e-3f;
  t.schedule = ScheduleKind::kCosine;
  t.warmup_steps = 50;
  t.weight_decay = 0.0f;
  t.label_smoothing = 0.0f;
  t.log_every = 25;
  t.eval_every = 100;
  t.eval_sentences = 100;
  t.samples = 3;
  t.metric = MetricKind::kExact;
  o.target_loss = 0.05;  // nats per character: about 80-90% exact match on validation
  return o;
}

CompareOptions full_options() {
  CompareOptions o;
  o.size = "small";
  o.run.tokenizer.kind = "word";
  o.run.tokenizer.vocab_size = 8000;
  o.run.tokenizer.min_count = 2;
  TrainOptions& t = o.run.train;
  t.epochs = 10;
  t.max_tokens = 4096;
  t.lr = 1e-3f;
  t.schedule = ScheduleKind::kCosine;
  t.warmup_steps = 400;
  t.min_lr = 1e-5f;
  t.log_every = 50;
  t.eval_every = 100;
  t.eval_sentences = 500;
  t.metric = MetricKind::kBleu;
  return o;
}

std::string slug(const std::string& name) {
  std::string out = name;
  std::replace(out.begin(), out.end(), '+', '-');
  return out;
}

Comparison run_comparison(const CompareOptions& options, const CompareProgress& progress,
                          const std::atomic<bool>* stop) {
  validate(options);
  check_out_dir(options);
  const auto start = Clock::now();
  Comparison c;
  c.options = options;
  c.target_loss = options.target_loss;
  c.target_automatic = options.target_loss == 0.0;
  const RunConfig& base = options.run;
  const MetricKind metric = base.train.metric;
  c.score_name = score_names(metric).front();

  // The tokenizers train_run will train in each run directory (the same text, the same ones).
  const ParallelText train_text = load_split(base.data, base.data.train_split);
  const std::unique_ptr<Tokenizer> source = train_tokenizer(base.tokenizer, train_text.source);
  c.src_vocab = source->vocab_size();
  c.tgt_vocab = train_tokenizer(base.tokenizer, train_text.target)->vocab_size();
  std::vector<Contender> contenders;
  const std::vector<std::string> chosen = selected_models(options);
  for (Contender& contender : lineup(options.size, c.src_vocab, c.tgt_vocab)) {
    if (std::find(chosen.begin(), chosen.end(), contender.name) != chosen.end())
      contenders.push_back(std::move(contender));
  }
  check_ranks_agree(base,
                    {{"compare",
                      {{"size", options.size},
                       {"out_dir", options.out_dir},
                       {"models", chosen},
                       {"target_loss", options.target_loss},
                       {"beam_size", options.beam_size},
                       {"test_sentences", options.test_sentences},
                       {"length_buckets", options.length_buckets}}}},
                    train_text, load_split(base.data, base.data.valid_split));

  const ParallelText test = test_pairs(base.data, options.test_sentences);
  c.test_sentences = test.size();
  std::vector<int64_t> lengths;
  for (const std::string& s : test.source)
    lengths.push_back(static_cast<int64_t>(source->encode(s).size()));
  c.buckets = length_buckets(lengths, options.length_buckets);
  const size_t shown = attention_sentence(lengths);
  c.attention_source = test.source[shown];

  fs::create_directories(fs::path(options.out_dir) / "runs");
  // Under mpirun, rank r trains the contenders r, r + N, ... alone, each into its own run and
  // result directories; an error ends this rank's share and is reported by every rank below.
  const size_t rank = static_cast<size_t>(distributed::rank());
  const size_t ranks = static_cast<size_t>(distributed::world_size());
  std::string failure;
  for (size_t i = rank; i < contenders.size(); i += ranks) {
    const Contender& contender = contenders[i];
    if (progress)
      progress(contender.name,
               {.kind = ProgressEvent::Kind::kInfo,
                .message = fmt::format("[{}/{}] {}: {} parameters", i + 1, contenders.size(),
                                       contender.name, contender.parameters)});
    ContenderResult r{
        .name = contender.name,
        .summary = summary(contender.model),
        .parameters = contender.parameters,
        .run_dir = (fs::path(options.out_dir) / "runs" / slug(contender.name)).string()};
    RunConfig config = base;
    config.model = contender.model;
    const auto run = [&] {
      const bool finished = train_and_measure(config, c, test, lengths, progress, stop, r);
      if (finished)
        write_result_dir(c, r, config, result_dir(options.out_dir, r.name, base.train.seed));
      return finished;
    };
    bool finished = false;
    if (ranks == 1) {
      finished = run();
    } else {
      try {
        const distributed::Solo solo;
        finished = run();
      } catch (const std::exception& e) {
        failure = fmt::format("rank {} ({}): {}", rank, contender.name, e.what());
        break;
      }
    }
    if (!finished) {
      c.interrupted = true;
      break;
    }
    c.contenders.push_back(std::move(r));
  }
  gather_failures(failure);
  time_to_target(c);
  c.wall_seconds = seconds_since(start);
  return c;
}

}  // namespace ember::seq2seq::lab
