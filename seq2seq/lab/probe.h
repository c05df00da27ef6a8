// The probing lab (`ember probe`): each architecture of the matched-size lineup (lab/lineup.h) is
// trained on each probing task (data/probing_corpus.h: copy, reverse, sort), with one recipe for
// all of them, and scored on the task's test split by source length bucket. The runs go through
// train_run / load_run / translate (seq2seq/train/), so each one is an ordinary run directory:
//
//   <dir>/runs/<task>-<model>/   config.json, tokenizer/, checkpoints/, metrics.csv, curves.svg
//
// and the report (lab/probe_report.h) is written next to them.
//
//   ProbeOptions options = probe_defaults(/*quick=*/true);
//   ProbeResult result = run_probe(options, "runs/probe", {.note = log_line}, &stop);
//   write_probe_report(result, "runs/probe", "ember probe --quick");
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ember/seq2seq/data/probing_corpus.h"
#include "ember/seq2seq/train/trainer.h"

namespace ember::seq2seq::lab {

struct ProbeOptions {
  std::vector<std::string> tasks = {"copy", "reverse", "sort"};
  // Names of lineup() contenders.
  std::vector<std::string> models = {"lstm", "lstm+additive", "convs2s", "transformer"};
  std::string size = "tiny";  // the lineup size: tiny | small
  ProbingOptions corpus;      // sizes, lengths, buckets, alphabet, seed (its task is ignored)
  TrainOptions train;         // the one recipe of every model; train.seed seeds the models too
  float dropout = 0.0f;       // every model's (the presets' dropout is for scarce data)
};

// The recipes. Both train each model for a fixed number of updates (the same batches for every
// architecture of a task) with AdamW at a constant learning rate after a warmup, without label
// smoothing or weight decay, choosing the checkpoint of best validation exact match.
//   quick  lengths 5..100 in 6 buckets of 20 letters, 6000 training sequences, 240 valid and
//          480 test sequences (80 per bucket), 1200 updates of 2048 tokens per model: the
//          3 tasks x 4 default models take about 10 minutes of CPU time on one thread
//          (measured in docs/probing.md)
//   full   the same lengths, 20000 training sequences, 600 valid and 1200 test sequences,
//          4000 updates per model
ProbeOptions probe_defaults(bool quick);
// A grammar probe (data/agreement_grammar.h, data/sense_grammar.h): the same recipe on the task
// alone, "agreement" or "sense", its buckets the distances 1 to 8 in nouns. Throws "[probe]" for
// another task.
ProbeOptions grammar_defaults(const std::string& task, bool quick);

// The contenders `ember probe` runs by default, and all seven lineup() names.
const std::vector<std::string>& default_probe_models();
const std::vector<std::string>& all_probe_models();

// Throws "[probe]" for no task or model, an unknown or repeated task or model, a grammar task
// with another task, an unknown size,
// dropout outside [0, 1), or no updates (train.max_steps, --steps, below 1); the corpus and
// training options throw their own errors (validate(TrainOptions)).
void validate(const ProbeOptions& options);

// One (task, model) cell of the probe.
struct ProbeCell {
  std::string task;
  std::string model;
  int64_t parameters = 0;
  int64_t steps = 0;                 // updates trained
  double train_seconds = 0.0;        // wall time of train_run (set-up, training, validation)
  double cpu_seconds = 0.0;          // CPU time of this process during train_run (all threads)
  double test_seconds = 0.0;         // wall time of decoding the test split
  std::vector<int64_t> counts = {};  // test sequences per length bucket
  std::vector<double> exact = {};    // per bucket: share of outputs equal to the target, in [0, 1]
  std::vector<double> tokens = {};   // per bucket: mean token accuracy (probe_token_accuracy)
  double exact_all = 0.0;            // over the whole test split
  double tokens_all = 0.0;
  // Grammar tasks only (empty otherwise): per bucket, the share of test sentences whose target
  // the model scores above its contrastive twin (contrastive_twin; forced decoding).
  std::vector<double> contrastive = {};
  double contrastive_all = 0.0;
};

struct ProbeResult {
  ProbeOptions options;
  std::vector<LengthBucket> buckets;
  std::vector<ProbeCell> cells;  // task-major, tasks and models in the order of the options
  double wall_seconds = 0.0;     // of run_probe
  double cpu_seconds = 0.0;
  int threads = 1;           // core::num_threads() during the run
  bool interrupted = false;  // stopped by the stop flag; cells hold the finished ones

  const ProbeCell& cell(const std::string& task, const std::string& model) const;  // "[probe]"
};

struct ProbeCallbacks {
  std::function<void(const std::string&)> note;  // one line per step of the plan (may be empty)
  ProgressCallback training;                     // the trainer's events of the model in training
};

// Runs every (task, model) of the options into <dir>/runs/. Throws "[probe]" when <dir>/runs
// already exists (a probe is not resumed: choose another directory), and the errors of the
// options, the lineup and the runs. `stop` (may be null) ends the probe after the run in progress
// has saved its checkpoint; the result then says interrupted.
ProbeResult run_probe(const ProbeOptions& options, const std::string& dir,
                      const ProbeCallbacks& callbacks, const std::atomic<bool>* stop);

// Token accuracy of one output: the positions where output and target hold the same token,
// over the length of the longer of the two (tokens are space-separated; 1 when both are empty).
double probe_token_accuracy(const std::string& output, const std::string& target);

}  // namespace ember::seq2seq::lab
