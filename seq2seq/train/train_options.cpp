// The names of the training options' closed sets, and the check of every option.
#include "ember/seq2seq/train/train_options.h"

#include <cmath>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/bleu.h"

namespace ember::seq2seq {

const EnumNames<OptimizerKind>& optimizer_names() {
  static const EnumNames<OptimizerKind> names(
      "[trainer]", "optimizer", {{"adam", OptimizerKind::kAdam}, {"adamw", OptimizerKind::kAdamW}});
  return names;
}

const EnumNames<ScheduleKind>& schedule_names() {
  static const EnumNames<ScheduleKind> names("[trainer]", "schedule",
                                             {{"constant", ScheduleKind::kConstant},
                                              {"inverse_sqrt", ScheduleKind::kInverseSqrt},
                                              {"cosine", ScheduleKind::kCosine},
                                              {"plateau", ScheduleKind::kPlateau}});
  return names;
}

const EnumNames<core::MatmulPrecision>& precision_names() {
  static const EnumNames<core::MatmulPrecision> names(
      "[trainer]", "precision",
      {{"fp32", core::MatmulPrecision::fp32}, {"bf16", core::MatmulPrecision::bf16}});
  return names;
}

const char* to_string(OptimizerKind kind) { return optimizer_names().name(kind); }
const char* to_string(ScheduleKind kind) { return schedule_names().name(kind); }

void validate(const TrainOptions& o) {
  validate(o.decode);  // the validation's decoding, before the first update
  bleu_tokenizer_from_name(o.bleu_tokenize);
  EMBER_CHECK(o.epochs >= 1 && o.max_tokens >= 2 && o.log_every >= 1,
              "[trainer] epochs, max_tokens and log_every must be >= 1, 2 and 1, got {}, {}, {}",
              o.epochs, o.max_tokens, o.log_every);
  EMBER_CHECK(o.max_steps >= 0 && o.max_batch_size >= 0 && o.eval_every >= 0 &&
                  o.eval_sentences >= 0 && o.samples >= 0 && o.warmup_steps >= 0 &&
                  o.max_seconds >= 0.0 && o.save_every >= 0 && o.save_minutes >= 0.0,
              "[trainer] max_steps, max_batch_size, eval_every, eval_sentences, samples, "
              "warmup_steps, max_seconds, save_every and save_minutes must be >= 0");
  EMBER_CHECK(o.keep_checkpoints >= 0 && o.keep_checkpoints <= kMaxKeptCheckpoints,
              "[trainer] keep_checkpoints must be in [0, {}], got {}", kMaxKeptCheckpoints,
              o.keep_checkpoints);
  EMBER_CHECK(o.patience >= 0, "[trainer] patience must be >= 0 (0: no early stopping), got {}",
              o.patience);
  EMBER_CHECK(o.lr > 0.0f && std::isfinite(o.lr) && o.min_lr >= 0.0f && o.weight_decay >= 0.0f &&
                  o.clip_norm >= 0.0f,
              "[trainer] lr must be > 0 and min_lr, weight_decay, clip_norm >= 0, got {}, {}, "
              "{}, {}",
              o.lr, o.min_lr, o.weight_decay, o.clip_norm);
  EMBER_CHECK(o.label_smoothing >= 0.0f && o.label_smoothing < 1.0f,
              "[trainer] label_smoothing must be in [0, 1), got {}", o.label_smoothing);
  EMBER_CHECK(o.schedule != ScheduleKind::kInverseSqrt || o.warmup_steps >= 1,
              "[trainer] the inverse_sqrt schedule needs warmup_steps >= 1");
  if (o.precision == core::MatmulPrecision::bf16) {
    const std::string reason = core::bf16_unsupported_reason();
    EMBER_CHECK(reason.empty(), "[trainer] precision bf16: {}", reason);
  }
}

}  // namespace ember::seq2seq
