// TrainOptions: the settings of a training run (trainer.h) — budget, optimizer, learning-rate
// schedule, regularisation, evaluation and checkpoints — and the one check of them all, validate(),
// which every path that trains (ember train, demo, compare, probe, a Trainer built in code) passes
// through. The closed sets (optimizer, schedule, metric) are enums, named as on the command line
// and in config.json.
#pragma once

#include <cstdint>
#include <string>

#include "ember/core/precision.h"
#include "ember/seq2seq/enum_names.h"
#include "ember/seq2seq/train/evaluation.h"

namespace ember::seq2seq {

enum class OptimizerKind { kAdam, kAdamW };

// constant      warmup then lr (optim::WarmupConstant)
// inverse_sqrt  warmup then lr * sqrt(warmup / k) (Vaswani et al.'s schedule, as a peak lr)
// cosine        warmup then a half cosine to min_lr at the last update (optim::WarmupCosine)
// plateau       lr, times 0.5 when the validation loss stops improving (optim::ReduceOnPlateau)
enum class ScheduleKind { kConstant, kInverseSqrt, kCosine, kPlateau };

// The names: adam | adamw; constant | inverse_sqrt | cosine | plateau. An unknown name throws
// "[trainer] unknown optimizer|schedule '<name>' (expected one of: ...)".
const EnumNames<OptimizerKind>& optimizer_names();
const EnumNames<ScheduleKind>& schedule_names();
// fp32 | bf16: the precision of the matrix products (core/precision.h).
const EnumNames<core::MatmulPrecision>& precision_names();
const char* to_string(OptimizerKind kind);
const char* to_string(ScheduleKind kind);

struct TrainOptions {
  int64_t epochs = 10;
  int64_t max_steps = 0;       // stop after this many updates in all (0: the epochs decide)
  double max_seconds = 0.0;    // stop (normally, saving) after this much training time (0: none)
  int64_t max_tokens = 4096;   // batch budget: B * max(S, T), padding included
  int64_t max_batch_size = 0;  // at most this many sentences a batch (0: no bound)
  OptimizerKind optimizer = OptimizerKind::kAdamW;
  float lr = 5e-4f;  // the peak learning rate
  float beta1 = 0.9f;
  float beta2 = 0.98f;
  float weight_decay = 0.01f;
  ScheduleKind schedule = ScheduleKind::kInverseSqrt;
  int64_t warmup_steps = 1000;
  float min_lr = 0.0f;
  float clip_norm = 1.0f;  // max global gradient norm (0: no clipping)
  float label_smoothing = 0.1f;
  int64_t log_every = 100;       // updates between metrics.csv rows and progress reports
  int64_t eval_every = 0;        // updates between evaluations (0: at the end of each epoch)
  int64_t eval_sentences = 500;  // validation sentences decoded for the scores (0: all)
  // Early stopping: stop once this many validations in a row have not beaten the best score
  // (the first score of the metric, else the validation loss) (0: never).
  int64_t patience = 0;
  MetricKind metric = MetricKind::kBleu;  // evaluation.h
  std::string bleu_tokenize = "13a";      // 13a | none (pre-tokenized text) | intl | char | zh
  bool rouge_stem = false;                // ROUGE with rouge-score's use_stemmer (rouge.h)
  int64_t samples = 5;                    // sentences written to samples.txt at each evaluation
  int64_t seed = 1;                       // the batch order (model initialisation is the caller's)
  // Checkpoints between epochs, so that a kill loses little: every save_every updates and every
  // save_minutes of wall-clock time, whichever comes first (0 turns either off).
  int64_t save_every = 1000;
  double save_minutes = 5.0;
  // Each save also writes the model's weights as checkpoints/step-<N>.safetensors, the newest
  // keep_checkpoints of them kept, for checkpoint averaging (average.h) (0: none).
  int64_t keep_checkpoints = 0;
  // The weights a new run starts from (fine-tuning): another run's directory (its best
  // checkpoint, else its last) or one of its checkpoint files; "" = random initialisation. Only
  // the weights: the optimizer, the schedule and the counters start afresh. run.h checks that the
  // two runs are one model over the same vocabularies; a resumed run ignores it.
  std::string init_from;
  DecodeOptions decode;  // for the validation scores (greedy by default)
  // bf16: every matrix product of training and validation in bf16 with float32 accumulation,
  // weights and optimizer state in float32 (core/precision.h; needs AVX512_BF16).
  core::MatmulPrecision precision = core::MatmulPrecision::fp32;
};

// The most step-<N> checkpoints a run keeps (each one a copy of the model's weights).
constexpr int64_t kMaxKeptCheckpoints = 1000;

// Throws "[trainer]" naming the option for a value out of range (or bf16 where it cannot run) (and
// "[translate]" for the validation's decoding options, "[bleu]" for an unknown BLEU tokenization).
void validate(const TrainOptions& options);

}  // namespace ember::seq2seq
