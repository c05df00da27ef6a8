// The training loop: updates, reports, evaluations and checkpoints.
#include "ember/seq2seq/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>

#include "ember/autograd/ops/arithmetic.h"
#include "ember/autograd/ops/nn.h"
#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/distributed/collectives.h"
#include "ember/distributed/data_parallel.h"
#include "ember/layers/module.h"
#include "ember/optim/adam.h"
#include "ember/optim/checkpoint.h"
#include "ember/optim/clip_grad.h"
#include "ember/seq2seq/train/checkpoint_files.h"
#include "ember/seq2seq/train/elapsed.h"
#include "ember/seq2seq/train/parse_number.h"

namespace ember::seq2seq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::unique_ptr<optim::Optimizer> make_optimizer(const std::vector<Tensor>& params,
                                                 const TrainOptions& o) {
  switch (o.optimizer) {
    case OptimizerKind::kAdam:
      return std::make_unique<optim::Adam>(
          params, optim::AdamOptions{o.lr, o.beta1, o.beta2, 1e-8f, o.weight_decay});
    case OptimizerKind::kAdamW:
      break;
  }
  return std::make_unique<optim::AdamW>(
      params, optim::AdamWOptions{o.lr, o.beta1, o.beta2, 1e-8f, o.weight_decay});
}

std::unique_ptr<optim::Schedule> make_schedule(const TrainOptions& o, int64_t total_steps) {
  switch (o.schedule) {
    case ScheduleKind::kConstant:
      return std::make_unique<optim::WarmupConstant>(o.lr, o.warmup_steps);
    case ScheduleKind::kInverseSqrt:
      // Noam's d^-0.5 * factor * min(k^-0.5, k w^-1.5) with d = 1 and factor = lr sqrt(w) is
      // lr * min(sqrt(w / k), k / w): a peak of lr at k = w.
      return std::make_unique<optim::NoamSchedule>(
          1, o.warmup_steps, o.lr * std::sqrt(static_cast<float>(o.warmup_steps)));
    case ScheduleKind::kCosine:
      EMBER_CHECK(total_steps > o.warmup_steps,
                  "[trainer] the cosine schedule needs more updates ({}) than warmup_steps ({})",
                  total_steps, o.warmup_steps);
      return std::make_unique<optim::WarmupCosine>(o.lr, o.warmup_steps, total_steps, o.min_lr);
    case ScheduleKind::kPlateau:
      break;
  }
  return std::make_unique<optim::ReduceOnPlateau>(
      o.lr, optim::PlateauOptions{.factor = 0.5f, .patience = 2, .min_lr = o.min_lr});
}

std::string extra_value(const std::map<std::string, std::string>& extra, const std::string& key,
                        const std::string& path) {
  const auto it = extra.find(key);
  EMBER_CHECK(it != extra.end(), "[trainer] {} has no '{}': not a checkpoint of ember train", path,
              key);
  return it->second;
}

// This rank's part [begin, end) of n items split over the ranks.
std::pair<size_t, size_t> rank_range(size_t n) {
  const size_t rank = distributed::rank(), ranks = distributed::world_size();
  return {n * rank / ranks, n * (rank + 1) / ranks};
}

// Every rank's texts, in rank order, on every rank (each text as "<length>:<bytes>").
std::vector<std::string> gather_texts(const std::vector<std::string>& mine) {
  if (distributed::world_size() == 1) return mine;
  std::string packed;
  for (const std::string& text : mine) packed += fmt::format("{}:{}", text.size(), text);
  std::vector<std::string> all;
  for (const std::string& part : distributed::all_gather(packed)) {
    for (size_t at = 0; at < part.size();) {
      const size_t colon = part.find(':', at);
      const size_t length = std::stoull(part.substr(at, colon - at));
      all.push_back(part.substr(colon + 1, length));
      at = colon + 1 + length;
    }
  }
  return all;
}

}  // namespace

double training_eta(int64_t steps_left, int64_t steps_timed, double seconds_timed,
                    double seconds_done, double max_seconds) {
  if (steps_timed <= 0) return 0.0;
  const double by_steps = static_cast<double>(std::max<int64_t>(steps_left, 0)) * seconds_timed /
                          static_cast<double>(steps_timed);
  if (max_seconds <= 0.0) return by_steps;
  return std::min(by_steps, std::max(max_seconds - seconds_done, 0.0));
}

// The training since the previous report. The loss part is checkpointed (a resumed run reports
// the same loss); the speed part covers this process only (the pace of the machine it runs on).
struct Trainer::Interval {
  double loss_sum = 0.0;  // loss times target tokens
  int64_t tokens = 0;
  int64_t timed_tokens = 0;
  double seconds = 0.0;
  int64_t steps_this_run = 0;  // all updates of this process, for the ETA
  double seconds_this_run = 0.0;
};

Trainer::Trainer(Seq2SeqModel& model, const Tokenizer& source_tokenizer,
                 const Tokenizer& target_tokenizer, std::vector<Example> train, ValidationSet valid,
                 TrainOptions options, std::string run_dir)
    : model_(model),
      source_tokenizer_(source_tokenizer),
      target_tokenizer_(target_tokenizer),
      train_(std::move(train)),
      valid_(std::move(valid)),
      options_(std::move(options)),
      run_dir_(std::move(run_dir)),
      writes_(!run_dir_.empty() && distributed::rank() == 0),
      data_generator_(static_cast<uint64_t>(options_.seed)),
      epoch_start_(static_cast<uint64_t>(options_.seed)),
      log_(score_names(options_.metric)),
      interval_(std::make_unique<Interval>()) {
  validate(options_);
  EMBER_CHECK(!train_.empty(), "[trainer] no training examples");
  EMBER_CHECK(valid_.sources.size() == valid_.references.size(),
              "[trainer] {} validation sources for {} references", valid_.sources.size(),
              valid_.references.size());
  batching_ = {.max_tokens = options_.max_tokens, .max_batch_size = options_.max_batch_size};
  steps_per_epoch_ = static_cast<int64_t>(plan_batches(train_, batching_, nullptr).size());
  optimizer_ = make_optimizer(model_.parameters(), options_);
  schedule_ = make_schedule(options_, total_steps());
  if (distributed::world_size() > 1) {
    data_parallel_ = std::make_unique<distributed::DataParallel>(
        model_, distributed::DataParallelOptions{
                    .reduction = distributed::DataParallelOptions::Reduction::kSum});
  }
  if (writes_) std::filesystem::create_directories(run_dir_ + "/checkpoints");
  last_save_ = std::chrono::steady_clock::now();
}

Trainer::~Trainer() = default;

int64_t Trainer::total_steps() const {
  const int64_t all = steps_per_epoch_ * options_.epochs;
  return options_.max_steps > 0 ? std::min(all, options_.max_steps) : all;
}

std::string Trainer::checkpoint_path() const { return run_dir_ + "/checkpoints/last.safetensors"; }
std::string Trainer::best_path() const { return run_dir_ + "/checkpoints/best.safetensors"; }

void Trainer::emit(ProgressEvent event) const {
  if (!progress_) return;
  event.step = step_;
  event.total_steps = total_steps();
  event.epoch = std::min(epoch_ + 1, options_.epochs);
  event.epochs = options_.epochs;
  event.lr = schedule_->rate(std::max<int64_t>(step_, 1));
  event.elapsed_s = train_seconds_;
  event.cpu_s = train_cpu_seconds_;
  event.eta_s = training_eta(total_steps() - step_, interval_->steps_this_run,
                             interval_->seconds_this_run, train_seconds_, options_.max_seconds);
  progress_(event);
}

double Trainer::train_step(const std::vector<int64_t>& indices, int64_t tokens) {
  optimizer_->zero_grad();
  double value = 0.0;
  if (data_parallel_) {
    value = data_parallel_loss_and_gradients(indices, tokens);
  } else {
    // Models with a linear output layer compute the loss without holding the (B, T, V) logits.
    const Batch batch = make_batch(train_, indices, batching_.add_source_eos);
    const Tensor loss =
        model_.loss(batch, {.ignore_index = kPadId, .label_smoothing = options_.label_smoothing});
    value = loss.item();
    EMBER_CHECK(std::isfinite(value),
                "[trainer] the training loss is {} at update {}: lower the learning rate (now {})",
                value, step_ + 1, schedule_->rate(step_ + 1));
    loss.backward();
  }
  if (options_.clip_norm > 0.0f) optim::clip_grad_norm(model_.parameters(), options_.clip_norm);
  optimizer_->set_lr(schedule_->rate(step_ + 1));
  optimizer_->step();
  ++step_;
  return value;
}

// This rank's share of the batch: its loss summed over its target tokens and divided by the
// whole batch's `tokens`, so that the sum over the ranks of the losses (and of the gradients,
// which DataParallel sums) is the whole batch's mean per token, whatever the shares, an empty
// one included. Returns that mean, the same on every rank.
double Trainer::data_parallel_loss_and_gradients(const std::vector<int64_t>& indices,
                                                 int64_t tokens) {
  const std::vector<int64_t> share =
      rank_share(indices, distributed::rank(), distributed::world_size());
  Tensor loss;
  std::vector<double> sum{0.0};
  if (!share.empty()) {
    const Batch batch = make_batch(train_, share, batching_.add_source_eos);
    loss = model_.loss(batch, {.ignore_index = kPadId,
                               .label_smoothing = options_.label_smoothing,
                               .reduction = Reduction::kSum}) *
           (1.0f / static_cast<float>(tokens));
    sum[0] = loss.item();
  }
  distributed::all_reduce(sum);
  EMBER_CHECK(std::isfinite(sum[0]),
              "[trainer] the training loss is {} at update {}: lower the learning rate (now {})",
              sum[0], step_ + 1, schedule_->rate(step_ + 1));
  if (loss.defined())
    data_parallel_->backward(loss);
  else
    data_parallel_->reduce_gradients();
  return sum[0];
}

void Trainer::after_step(int64_t tokens, double loss, double seconds, double cpu_seconds) {
  Interval& in = *interval_;
  in.loss_sum += loss * static_cast<double>(tokens);
  in.tokens += tokens;
  in.timed_tokens += tokens;
  in.seconds += seconds;
  ++in.steps_this_run;
  in.seconds_this_run += seconds;
  train_seconds_ += seconds;
  train_cpu_seconds_ += cpu_seconds;
  if (data_parallel_) agree_on_stopping();
  ProgressEvent event{.kind = ProgressEvent::Kind::kStep};
  event.loss = in.loss_sum / static_cast<double>(in.tokens);
  event.tokens_per_s =
      in.seconds > 0.0 ? static_cast<double>(in.timed_tokens) / in.seconds : 0.0;
  event.report = step_ % options_.log_every == 0;
  if (event.report) {
    MetricsRow row{.step = step_,
                   .epoch = epoch_,
                   .loss = event.loss,
                   .lr = schedule_->rate(step_),
                   .tokens_per_s = event.tokens_per_s,
                   .valid_loss = kNaN,
                   .scores = std::vector<double>(log_.score_names().size(), kNaN)};
    if (writes_) log_.append(run_dir_ + "/metrics.csv", row);
    log_.add(std::move(row));
    in.loss_sum = 0.0;
    in.tokens = 0;
    in.timed_tokens = 0;
    in.seconds = 0.0;
  }
  emit(event);
  if (options_.eval_every > 0 && step_ % options_.eval_every == 0) evaluate();
  if (checkpoint_due()) save_checkpoint();
}

// What rests on a clock or a signal differs between ranks: the training time is rank 0's, and
// a stop flag set on any rank stops them all, at the same update.
void Trainer::agree_on_stopping() {
  const bool first = distributed::rank() == 0;
  std::vector<double> values{first ? train_seconds_ : 0.0,
                             stop_ != nullptr && stop_->load() ? 1.0 : 0.0};
  distributed::all_reduce(values, distributed::ReduceOp::kMax);
  train_seconds_ = values[0];
  stop_agreed_ = values[1] > 0.0;
}

bool Trainer::checkpoint_due() const {
  // The end of an epoch and the end of the run save anyway.
  if (!writes_ || batch_in_epoch_ == steps_per_epoch_ || step_ >= total_steps()) return false;
  const bool by_updates = options_.save_every > 0 && step_ % options_.save_every == 0;
  const bool by_time = options_.save_minutes > 0.0 &&
                       seconds_since(last_save_) >= 60.0 * options_.save_minutes;
  return by_updates || by_time;
}

// The validation loss, each rank computing the sum over its part of the examples.
double Trainer::validation_loss_over_ranks() {
  if (!data_parallel_) return validation_loss(model_, valid_.examples, batching_.max_tokens);
  const auto [begin, end] = rank_range(valid_.examples.size());
  const std::vector<Example> part(valid_.examples.begin() + begin, valid_.examples.begin() + end);
  const LossSum mine = validation_loss_sum(model_, part, batching_.max_tokens);
  std::vector<double> sums{mine.total, static_cast<double>(mine.tokens)};
  distributed::all_reduce(sums);
  return sums[1] > 0.0 ? sums[0] / sums[1] : kNaN;
}

// The outputs for every source, each rank decoding its part.
std::vector<std::string> Trainer::decode_over_ranks(const std::vector<std::string>& sources) {
  const auto [begin, end] = rank_range(sources.size());
  const std::vector<std::string> part(sources.begin() + begin, sources.begin() + end);
  return gather_texts(
      hypotheses(translate(model_, source_tokenizer_, target_tokenizer_, part, options_.decode)));
}

void Trainer::evaluate() {
  last_valid_loss_ = validation_loss_over_ranks();
  last_scores_.clear();
  if (!valid_.sources.empty()) {
    const size_t n =
        options_.eval_sentences > 0
            ? std::min(valid_.sources.size(), static_cast<size_t>(options_.eval_sentences))
            : valid_.sources.size();
    const std::vector<std::string> sources(valid_.sources.begin(), valid_.sources.begin() + n);
    const std::vector<std::string> refs(valid_.references.begin(), valid_.references.begin() + n);
    const std::vector<std::string> outputs = decode_over_ranks(sources);
    last_scores_ = score_outputs(options_.metric, outputs, refs, options_.bleu_tokenize,
                                 {.use_stemmer = options_.rouge_stem});
    write_samples(outputs);
  }
  if (auto* plateau = dynamic_cast<optim::ReduceOnPlateau*>(schedule_.get())) {
    if (std::isfinite(last_valid_loss_)) plateau->observe(last_valid_loss_);
  }
  // Scores come in the order of score_names(metric), the log's columns; none: empty columns.
  MetricsRow row{.step = step_,
                 .epoch = epoch_,
                 .loss = kNaN,
                 .lr = schedule_->rate(std::max<int64_t>(step_, 1)),
                 .tokens_per_s = kNaN,
                 .valid_loss = last_valid_loss_,
                 .scores = std::vector<double>(log_.score_names().size(), kNaN)};
  for (size_t k = 0; k < last_scores_.size(); ++k) row.scores[k] = last_scores_[k].second;
  log_.add(row);
  const double score = last_scores_.empty() ? -last_valid_loss_ : last_scores_.front().second;
  const bool best = std::isfinite(score) && (!has_best_ || score > best_score_);
  if (best) {
    best_score_ = score;
    has_best_ = true;
  }
  stale_evaluations_ = best ? 0 : stale_evaluations_ + 1;
  if (writes_) {
    log_.append(run_dir_ + "/metrics.csv", row);
    core::write_file_atomic(run_dir_ + "/curves.svg", log_.curves_svg(), "[trainer]");
    if (best) nn::save(model_, best_path(), checkpoint_metadata_);
  }
  evaluated_at_ = step_;
  emit({.kind = ProgressEvent::Kind::kEvaluation,
        .valid_loss = last_valid_loss_,
        .scores = last_scores_});
}

void Trainer::write_samples(const std::vector<std::string>& outputs) const {
  if (!writes_ || options_.samples == 0) return;
  std::ofstream out(run_dir_ + "/samples.txt", std::ios::app);
  out << fmt::format("== update {} (epoch {})\n", step_, epoch_);
  const size_t n = std::min(outputs.size(), static_cast<size_t>(options_.samples));
  for (size_t i = 0; i < n; ++i) {
    out << fmt::format("source:    {}\nreference: {}\noutput:    {}\n\n", valid_.sources[i],
                       valid_.references[i], outputs[i]);
  }
  EMBER_CHECK(out.good(), "[trainer] cannot write {}/samples.txt", run_dir_);
}

void Trainer::save_checkpoint() {
  if (!writes_) return;
  optim::TrainingState state{
      .model = &model_,
      .optimizer = optimizer_.get(),
      .schedule = schedule_.get(),
      .generators = {{"default", &core::default_generator()}, {"data", &epoch_start_}},
      .step = step_,
      .epoch = epoch_};
  state.extra = checkpoint_metadata_;
  // The loss since the last metrics row too, so that a resumed run writes the same rows.
  state.extra.insert({{"batch_in_epoch", std::to_string(batch_in_epoch_)},
                      {"best_score", fmt::format("{}", best_score_)},
                      {"has_best", has_best_ ? "1" : "0"},
                      {"stale_evaluations", std::to_string(stale_evaluations_)},
                      {"interval_loss_sum", fmt::format("{}", interval_->loss_sum)},
                      {"interval_tokens", std::to_string(interval_->tokens)},
                      {"train_seconds", fmt::format("{}", train_seconds_)},
                      {"train_cpu_seconds", fmt::format("{}", train_cpu_seconds_)}});
  optim::save_checkpoint(checkpoint_path(), state);
  if (options_.keep_checkpoints > 0) {
    // The new weights are complete on disk before the oldest go.
    std::map<std::string, std::string> metadata = checkpoint_metadata_;
    metadata["step"] = std::to_string(step_);
    nn::save(model_, periodic_checkpoint_path(run_dir_, step_), metadata);
    prune_periodic_checkpoints(run_dir_, options_.keep_checkpoints);
  }
  last_save_ = std::chrono::steady_clock::now();
  emit({.kind = ProgressEvent::Kind::kCheckpoint, .message = checkpoint_path()});
}

std::map<std::string, std::string> Trainer::resume() {
  const std::string path = checkpoint_path();
  EMBER_CHECK(!run_dir_.empty() && std::filesystem::exists(path),
              "[trainer] nothing to resume: {} does not exist", path);
  optim::TrainingState state{
      .model = &model_,
      .optimizer = optimizer_.get(),
      .schedule = schedule_.get(),
      .generators = {{"default", &core::default_generator()}, {"data", &epoch_start_}}};
  optim::load_checkpoint(path, state);
  step_ = state.step;
  epoch_ = state.epoch;
  restore_counters(state.extra, path);
  const std::string metrics = run_dir_ + "/metrics.csv";
  if (std::filesystem::exists(metrics)) {
    for (const std::string& problem : log_.load(metrics, step_))
      emit({.kind = ProgressEvent::Kind::kInfo, .message = "damaged metrics row: " + problem});
  }
  resumed_ = true;  // run() writes the rows kept, once the caller's own checks have passed too
  return state.extra;
}

// The counters of the checkpoint's extra strings, checked against what this run can reach: the
// updates done are the epochs done times the batches of an epoch plus the batches of this one.
void Trainer::restore_counters(const std::map<std::string, std::string>& extra,
                               const std::string& path) {
  batch_in_epoch_ = parse_int(extra_value(extra, "batch_in_epoch", path), path);
  best_score_ = parse_number(extra_value(extra, "best_score", path), path);
  const std::string has_best = extra_value(extra, "has_best", path);
  EMBER_CHECK(has_best == "0" || has_best == "1", "[trainer] {}: 'has_best' is \"{}\", not 0 or 1",
              path, has_best);
  has_best_ = has_best == "1";
  // Checkpoints written before early stopping have no count: patience starts afresh.
  if (extra.count("stale_evaluations")) {
    stale_evaluations_ = parse_int(extra_value(extra, "stale_evaluations", path), path);
    EMBER_CHECK(stale_evaluations_ >= 0, "[trainer] {}: 'stale_evaluations' is {}, below 0", path,
                stale_evaluations_);
  }
  // Checkpoints written before the interval was saved have none: the next row then covers less.
  if (extra.count("interval_tokens")) {
    interval_->loss_sum = parse_number(extra_value(extra, "interval_loss_sum", path), path);
    interval_->tokens = parse_int(extra_value(extra, "interval_tokens", path), path);
  }
  // The training time so far, for --time-limit and the time reported (checkpoints written before
  // it was saved have none: the time then counts from the resume).
  if (extra.count("train_seconds")) {
    train_seconds_ = parse_number(extra_value(extra, "train_seconds", path), path);
    train_cpu_seconds_ = parse_number(extra_value(extra, "train_cpu_seconds", path), path);
    EMBER_CHECK(std::isfinite(train_seconds_) && train_seconds_ >= 0.0 &&
                    std::isfinite(train_cpu_seconds_) && train_cpu_seconds_ >= 0.0,
                "[trainer] {}: the training time so far ({} s, {} s of CPU) is impossible", path,
                train_seconds_, train_cpu_seconds_);
  }
  int64_t reached = 0;
  const bool overflow = __builtin_mul_overflow(epoch_, steps_per_epoch_, &reached) ||
                        __builtin_add_overflow(reached, batch_in_epoch_, &reached);
  EMBER_CHECK(!overflow && batch_in_epoch_ >= 0 && batch_in_epoch_ < steps_per_epoch_ &&
                  reached == step_,
              "[trainer] {}: the training state (update {}, {} epochs and {} batches done) does "
              "not fit this run's {} batches an epoch: the checkpoint is damaged, or the "
              "training data or the batch size differ from the run's",
              path, step_, epoch_, batch_in_epoch_, steps_per_epoch_);
  EMBER_CHECK(std::isfinite(interval_->loss_sum) && interval_->loss_sum >= 0.0 &&
                  interval_->tokens >= 0,
              "[trainer] {}: the loss since the last report ({} over {} tokens) is impossible",
              path, interval_->loss_sum, interval_->tokens);
}

std::optional<StopReason> Trainer::early_stop() const {
  if (data_parallel_ ? stop_agreed_ : stop_ != nullptr && stop_->load())
    return StopReason::kInterrupted;
  if (options_.max_steps > 0 && step_ >= options_.max_steps) return StopReason::kMaxSteps;
  if (options_.max_seconds > 0.0 && train_seconds_ >= options_.max_seconds)
    return StopReason::kTimeLimit;
  if (options_.patience > 0 && stale_evaluations_ >= options_.patience)
    return StopReason::kNoImprovement;
  return std::nullopt;
}

std::string Trainer::stop_message(StopReason reason) const {
  switch (reason) {
    case StopReason::kInterrupted:
      return "interrupted";
    case StopReason::kMaxSteps:
      return fmt::format("reached max_steps ({})", options_.max_steps);
    case StopReason::kTimeLimit:
      return fmt::format("reached the time limit ({:g} s of training)", options_.max_seconds);
    case StopReason::kNoImprovement: {
      // The score evaluate() compares: the metric's first, else the negated validation loss.
      const bool by_loss = valid_.sources.empty();
      return fmt::format(
          "stopped early: the best {} ({:.4g}) has not improved in {} validations (patience {})",
          by_loss ? "validation loss" : log_.score_names().front(),
          by_loss ? -best_score_ : best_score_, stale_evaluations_, options_.patience);
    }
    case StopReason::kFinished:
      break;
  }
  return fmt::format("done after {} epochs", epoch_);
}

TrainResult Trainer::run() {
  const core::MatmulPrecisionGuard precision(options_.precision);  // training and validation
  if (resumed_ && writes_) log_.write(run_dir_ + "/metrics.csv");
  model_.train();
  emit({.kind = ProgressEvent::Kind::kStart,
        .message = fmt::format("{} examples, {} batches an epoch, {} updates", train_.size(),
                               steps_per_epoch_, total_steps())});
  std::optional<StopReason> stopped;
  while (epoch_ < options_.epochs && !stopped) {
    data_generator_ = epoch_start_;
    const std::vector<std::vector<int64_t>> plan =
        plan_batches(train_, batching_, &data_generator_);
    while (batch_in_epoch_ < static_cast<int64_t>(plan.size()) && !(stopped = early_stop())) {
      const auto t0 = std::chrono::steady_clock::now();
      const std::clock_t c0 = std::clock();
      const std::vector<int64_t>& indices = plan[batch_in_epoch_];
      const int64_t tokens = num_target_tokens(train_, indices);
      const double loss = train_step(indices, tokens);
      ++batch_in_epoch_;
      after_step(tokens, loss, seconds_since(t0), cpu_seconds_since(c0));
    }
    if (stopped) break;
    ++epoch_;
    batch_in_epoch_ = 0;
    epoch_start_ = data_generator_;
    if (options_.eval_every == 0) evaluate();
    save_checkpoint();
  }
  const StopReason reason = stopped.value_or(StopReason::kFinished);
  if (reason != StopReason::kInterrupted && evaluated_at_ != step_) evaluate();
  if (stopped) save_checkpoint();
  emit({.kind = ProgressEvent::Kind::kDone, .message = stop_message(reason)});
  return {step_, epoch_, reason, train_seconds_, last_valid_loss_, last_scores_};
}

}  // namespace ember::seq2seq
