// The comparison lab (`ember compare`): trains every contender of the matched-size lineup
// (lineup.h) on the same data, tokenizer, batches and training budget, measures each, and hands
// the measurements to the report writer (report.h).
//
//   CompareOptions options = quick_options();           // the built-in dates corpus
//   options.out_dir = "runs/compare-quick";
//   Comparison result = run_comparison(options, on_progress, &stop_flag);
//   write_report(result);                               // report.md, figures, CSV files
//
// What is the same for every contender: the tokenizers (trained once on the training split;
// train_run trains the same ones again in each run directory), the training examples and their
// batch plan (same seed, batch budget and length filter: every lineup model has the same
// max_positions), the training options and the budget (a number of updates, epochs or a time
// limit), the initialisation seed. Per contender, with <out_dir>/runs/<slug> its run directory:
//   train     train_run; the validation loss of each evaluation and the training time at it
//             (the trainer's clock: updates only, without evaluations) form its loss curve
//   test      load_run (the best checkpoint), then the test split decoded greedily and with beam
//             search, timed (sentences per second of translate()), and scored with the run's
//             metric (exact match, or BLEU on a 0..100 scale); the greedy outputs are also scored
//             per source-length bucket
//   attention one test sentence decoded greedily step by step, keeping the attention weights of
//             each step: rnn_attention's map, the Transformer's last-layer cross-attention
//             averaged over heads, and ConvS2S's map of every decoder layer
//   results   the small files of lab_result.h in <out_dir>/results/<slug>-s<seed>/, from which
//             `ember compare --report` (lab_aggregate.h) builds a table over runs and seeds
// After all contenders: the time each took to reach the target validation loss.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "ember/seq2seq/report/svg_plot.h"
#include "ember/seq2seq/train/run_config.h"
#include "ember/seq2seq/train/trainer.h"

namespace ember::seq2seq::lab {

struct CompareOptions {
  RunConfig run;              // data, tokenizer and training options (its model is not used)
  std::string size = "tiny";  // the lineup's size: tiny | small
  std::string out_dir;        // the report directory (must not hold a report yet)
  // The validation loss (nats per target token) whose first crossing is timed; 0: automatic,
  // the highest of the contenders' lowest validation losses (the level every one reaches).
  double target_loss = 0.0;
  int64_t beam_size = 5;       // the beam search of the test decoding
  int64_t test_sentences = 0;  // test sentences decoded (the first ones; 0: all)
  int64_t length_buckets = 5;  // source-length buckets of about equal size
  // The contenders trained, by name or slug ("lstm-dot"), in the lineup's order whatever the
  // order given; empty: all seven.
  std::vector<std::string> models = {};
  std::string command;  // the command line, quoted in the report
};

// --quick: the built-in dates corpus (character tokens, exact match), the tiny lineup, 3000
// updates of 2048-token batches each (about 10 epochs), target loss 0.05; 7.6 minutes of CPU
// time on one thread, measured (docs/lab.md).
CompareOptions quick_options();
// The defaults for a corpus of files (the data fields empty): word tokens (at most 8000 a side,
// count >= 2), the small lineup, 10 epochs of 4096-token batches, lr 1e-3 (cosine), an evaluation
// every 100 updates, BLEU.
CompareOptions full_options();

// One point of a loss curve: an evaluation.
struct LossPoint {
  int64_t step = 0;
  double train_seconds = 0.0;  // training time (updates only) up to this evaluation
  // The CPU time of the same updates (all threads; ProgressEvent::cpu_s); NaN in results written
  // before ember recorded it (the 21 runs of docs/results/lab-m30k-small lack it).
  double train_cpu_seconds = std::numeric_limits<double>::quiet_NaN();
  double valid_loss = 0.0;
  double valid_score = std::numeric_limits<double>::quiet_NaN();  // the primary score, if any
};

// One test sentence and a model's outputs: the samples of a result directory (lab_result.h).
struct TestSample {
  std::string source;
  std::string reference;
  std::string greedy;
  std::string beam;
};

// One attention figure: the map of one model (or one ConvS2S layer) for the chosen sentence.
struct AttentionFigure {
  std::string file;  // the SVG's file name in the report directory
  Heatmap heatmap;
};

inline constexpr double kNotReached = std::numeric_limits<double>::quiet_NaN();

struct ContenderResult {
  std::string name;     // lineup.h's name
  std::string summary;  // models/config.h summary()
  int64_t parameters = 0;
  std::string run_dir;
  int64_t steps = 0;
  double train_seconds = 0.0;  // the trainer's clock: updates only
  double wall_seconds = 0.0;   // train_run from start to end, evaluations and checkpoints included
  // The process's CPU time over the same span (all threads): unlike the clocks, it does not grow
  // when other programs compete for the CPU.
  double cpu_seconds = 0.0;
  double tokens_per_s = 0.0;  // target tokens of training per second of training
  std::vector<LossPoint> curve = {};
  double best_valid_loss = kNotReached;
  double seconds_to_target = kNotReached;  // training time at the first evaluation <= target
  double greedy_score = 0.0;               // test score of the greedy outputs
  double beam_score = 0.0;                 // test score of the beam outputs
  double greedy_sentences_per_s = 0.0;
  double beam_sentences_per_s = 0.0;
  std::vector<double> bucket_scores = {};  // the greedy test score per length bucket
  std::vector<AttentionFigure> attention = {};
  std::vector<TestSample> samples = {};  // the first test sentences (kResultSamples)
};

inline constexpr size_t kResultSamples = 5;

// Test sentences whose source has min_tokens .. max_tokens tokens.
struct LengthBucket {
  int64_t min_tokens = 0;
  int64_t max_tokens = 0;
  int64_t sentences = 0;
  double mean_tokens = 0.0;
};

struct Comparison {
  CompareOptions options;  // as run (the lineup size, the out_dir, ...)
  std::string score_name;  // the primary score of the metric: exact_match, bleu or rouge1
  double target_loss = 0.0;
  bool target_automatic = false;
  int64_t src_vocab = 0;
  int64_t tgt_vocab = 0;
  int64_t test_sentences = 0;  // decoded per contender
  std::vector<LengthBucket> buckets;
  std::string attention_source;  // the sentence of the attention figures
  std::vector<ContenderResult> contenders;
  double wall_seconds = 0.0;  // the whole comparison
  bool interrupted = false;   // stopped by the stop flag (contenders holds the finished ones)
};

// Throws "[compare]" for an unknown size or model (naming the valid ones), a model given twice,
// a beam below 1, negative counts or target loss, and "[trainer]" for invalid training options.
void validate(const CompareOptions& options);

// Progress of the contender being trained (its name and the trainer's events).
using CompareProgress = std::function<void(const std::string& contender, const ProgressEvent&)>;

// Trains and measures every contender as the header says, and writes each one's result directory
// (lab_result.h) when it is done. Under mpirun (world size N > 1) the contenders are dealt to the
// ranks (rank r trains the r-th, (r+N)-th, ... of options.models, alone: distributed::Solo), the
// returned Comparison holds this rank's, and every rank waits for all the others at the end:
// an error on any rank is thrown on every rank, naming it. Throws validate()'s errors,
// "[compare]" for an out_dir that already holds a comparison, "[run]" for ranks started with
// different options or data, and the errors of the data, tokenizers and training.
Comparison run_comparison(const CompareOptions& options, const CompareProgress& progress,
                          const std::atomic<bool>* stop);

// The file-name form of a contender's name ("lstm+dot" -> "lstm-dot").
std::string slug(const std::string& name);

// The lineup names that options.models selects, in the lineup's order (all seven when empty).
std::vector<std::string> selected_models(const CompareOptions& options);

}  // namespace ember::seq2seq::lab
