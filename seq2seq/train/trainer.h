// Trainer: the training loop of an encoder-decoder — epochs over length-bucketed batches under a
// token budget, Adam/AdamW with a learning-rate schedule, gradient clipping and label-smoothed
// cross-entropy (Szegedy et al., 2016), periodic validation (loss, and scores of greedy decoding)
// with optional early stopping (options.patience), training checkpoints that resume exactly, and
// the run's files:
//
//   <run_dir>/metrics.csv                    metrics_log.h
//   <run_dir>/curves.svg                     loss and score curves, redrawn at each evaluation
//   <run_dir>/samples.txt                    a few validation sentences decoded at each evaluation
//   <run_dir>/checkpoints/last.safetensors   optim/checkpoint.h: model, optimizer, schedule,
//                                            generators; saved every save_every updates and
//                                            save_minutes, at each epoch's end, on stop and at
//                                            the end
//   <run_dir>/checkpoints/best.safetensors   the model's weights at its best validation score
//   <run_dir>/checkpoints/step-<N>.safetensors  with options.keep_checkpoints K > 0: the model's
//                                            weights at each save, the newest K kept
//                                            (checkpoint_files.h; for ember average)
//
// Under mpirun (distributed/collectives.h) the ranks train one model data-parallel: every rank
// draws the same batch plan, computes the gradient of its share of each batch (rank_share in
// batching.h) and distributed::DataParallel sums them, so the updates are those of one process
// up to the order of floating-point sums. Validation is split over the ranks too. Rank 0 alone
// writes the run directory; every rank reads it on resume(); a stop (the flag on any rank, the
// time limit by rank 0's clock) is agreed at each update, so all ranks stop at the same one.
//
// The library does not log: progress goes to a callback (ProgressEvent), and a stop flag (set by
// the program's SIGINT handler, say) makes run() save a checkpoint and return between two updates.
//
//   Trainer trainer(model, *src_tok, *tgt_tok, train_examples, valid, options, "runs/dates");
//   trainer.set_progress([](const ProgressEvent& e) { ... });
//   if (resuming) trainer.resume();
//   TrainResult result = trainer.run();
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/core/random.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/schedule.h"
#include "ember/seq2seq/data/batching.h"
#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/models/model.h"
#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/metrics_log.h"
#include "ember/seq2seq/train/train_options.h"

namespace ember::distributed {
class DataParallel;
}

namespace ember::seq2seq {

// What validation uses: examples for the loss; source and reference text for the scores.
struct ValidationSet {
  std::vector<Example> examples;
  std::vector<std::string> sources;
  std::vector<std::string> references;
};

struct ProgressEvent {
  enum class Kind {
    kStart,       // before the first update (message: the plan)
    kStep,        // after every update
    kEvaluation,  // after a validation (valid_loss, scores)
    kCheckpoint,  // a checkpoint was written (message: its path)
    kDone,        // run() returns (message: why it stopped)
    kInfo         // a note from the run's set-up (run.h: data statistics, the model)
  };
  Kind kind = Kind::kStep;
  int64_t step = 0;         // updates done
  int64_t total_steps = 0;  // updates the run will do (epochs or max_steps)
  int64_t epoch = 0;        // the epoch in progress, 1-based
  int64_t epochs = 0;
  double loss = 0.0;  // training loss per target token, mean since the previous report
  double lr = 0.0;
  double tokens_per_s = 0.0;  // target tokens per second of training, since the previous report
  double elapsed_s = 0.0;     // training time of this process (without evaluations)
  // The CPU time of the same updates, all of the process's threads: unlike elapsed_s, it does
  // not grow while other programs hold the CPU (the lab's equal-time comparison reads it).
  double cpu_s = 0.0;
  double eta_s = 0.0;         // estimated training time left (training_eta below)
  bool report = false;        // kStep: a log_every boundary (the loss etc. cover that interval)
  double valid_loss = 0.0;
  Scores scores = {};
  std::string message = {};
};
using ProgressCallback = std::function<void(const ProgressEvent&)>;

// Why run() returned.
enum class StopReason {
  kFinished,       // the epochs are done
  kMaxSteps,       // options.max_steps updates are done
  kTimeLimit,      // options.max_seconds of training are done
  kNoImprovement,  // options.patience validations in a row did not beat the best score
  kInterrupted     // the stop flag was set (a checkpoint was saved, no final evaluation)
};

// The training time left that progress events report (eta_s): `steps_left` updates at the pace
// of the `steps_timed` updates that took `seconds_timed` (this process's; 0 before any), and no
// more than the time left before `max_seconds` of training (0: no limit) once `seconds_done` are
// done (a resumed run's included), which stops the run first when it comes first.
double training_eta(int64_t steps_left, int64_t steps_timed, double seconds_timed,
                    double seconds_done, double max_seconds);

struct TrainResult {
  int64_t steps = 0;
  int64_t epochs_done = 0;
  StopReason stop_reason = StopReason::kFinished;
  double train_seconds = 0.0;
  double valid_loss = 0.0;  // of the last evaluation
  Scores scores;            // of the last evaluation

  bool interrupted() const { return stop_reason == StopReason::kInterrupted; }
};

class Trainer {
 public:
  // `run_dir` receives the files above ("" writes none). The model, tokenizers and data must
  // outlive the trainer. Throws "[trainer]" for invalid options or no training examples.
  Trainer(Seq2SeqModel& model, const Tokenizer& source_tokenizer, const Tokenizer& target_tokenizer,
          std::vector<Example> train, ValidationSet valid, TrainOptions options,
          std::string run_dir);
  ~Trainer();

  void set_progress(ProgressCallback callback) { progress_ = std::move(callback); }
  void set_stop_flag(const std::atomic<bool>* stop) { stop_ = stop; }
  // Strings written into every checkpoint: among the extra strings of last.safetensors and as the
  // metadata of best.safetensors (run.h records the model's config there).
  void set_checkpoint_metadata(std::map<std::string, std::string> metadata) {
    checkpoint_metadata_ = std::move(metadata);
  }

  // Continues from <run_dir>/checkpoints/last.safetensors: model, optimizer, schedule, random
  // generators, counters and the metrics written up to it (a damaged metrics row is dropped and
  // reported as a kInfo event; run() rewrites metrics.csv). Throws, having written nothing, when
  // the checkpoint does not fit
  // (optim/checkpoint.h) or holds a training state this run could not have reached (the trainer
  // is then unusable). Returns the checkpoint's extra strings.
  std::map<std::string, std::string> resume();
  TrainResult run();

  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  int64_t total_steps() const;
  std::string checkpoint_path() const;  // <run_dir>/checkpoints/last.safetensors
  std::string best_path() const;        // <run_dir>/checkpoints/best.safetensors

 private:
  struct Interval;
  double train_step(const std::vector<int64_t>& indices, int64_t tokens);
  double data_parallel_loss_and_gradients(const std::vector<int64_t>& indices, int64_t tokens);
  void after_step(int64_t tokens, double loss, double seconds, double cpu_seconds);
  void agree_on_stopping();
  void evaluate();
  double validation_loss_over_ranks();
  std::vector<std::string> decode_over_ranks(const std::vector<std::string>& sources);
  void write_samples(const std::vector<std::string>& outputs) const;
  void save_checkpoint();
  bool checkpoint_due() const;
  void restore_counters(const std::map<std::string, std::string>& extra, const std::string& path);
  std::optional<StopReason> early_stop() const;
  std::string stop_message(StopReason reason) const;
  void emit(ProgressEvent event) const;

  Seq2SeqModel& model_;
  const Tokenizer& source_tokenizer_;
  const Tokenizer& target_tokenizer_;
  std::vector<Example> train_;
  ValidationSet valid_;
  TrainOptions options_;
  std::string run_dir_;
  bool writes_ = false;  // this process writes the run directory (rank 0 of a data-parallel job)
  std::unique_ptr<distributed::DataParallel> data_parallel_;  // world size > 1 only
  bool stop_agreed_ = false;  // some rank's stop flag was set (world size > 1)
  BatchOptions batching_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::unique_ptr<optim::Schedule> schedule_;
  core::Generator data_generator_;  // draws each epoch's batch plan
  core::Generator epoch_start_;     // data_generator_ before this epoch's plan (checkpointed)
  MetricsLog log_;
  std::unique_ptr<Interval> interval_;
  ProgressCallback progress_;
  const std::atomic<bool>* stop_ = nullptr;
  std::map<std::string, std::string> checkpoint_metadata_;
  std::chrono::steady_clock::time_point last_save_;
  int64_t steps_per_epoch_ = 0;
  int64_t step_ = 0;
  int64_t epoch_ = 0;           // epochs completed
  int64_t batch_in_epoch_ = 0;  // batches of the current epoch done
  int64_t evaluated_at_ = -1;   // the step of the last evaluation
  double best_score_ = 0.0;     // higher is better (the negated loss without scores)
  bool has_best_ = false;
  int64_t stale_evaluations_ = 0;  // validations in a row since the best score was set
  bool resumed_ = false;
  double train_seconds_ = 0.0;
  double train_cpu_seconds_ = 0.0;
  double last_valid_loss_ = 0.0;
  Scores last_scores_;
};

}  // namespace ember::seq2seq
