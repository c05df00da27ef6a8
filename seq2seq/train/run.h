// A training run from its RunConfig to its directory, and back for translation and evaluation:
//
//   <run_dir>/config.json               run_config.h (vocabulary sizes filled in)
//   <run_dir>/tokenizer/source, target  the tokenizers (Tokenizer::save)
//   <run_dir>/checkpoints/, metrics.csv, curves.svg, samples.txt   trainer.h
//
//   TrainResult r = train_run(config, "runs/dates", /*resume=*/false, on_progress, &stop_flag);
//   LoadedRun run = load_run("runs/dates");                    // best weights, eval mode
//   auto out = translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, lines);
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/models/model.h"
#include "ember/seq2seq/train/run_config.h"
#include "ember/seq2seq/train/trainer.h"

namespace ember::seq2seq {

// The files of a run directory.
std::string run_config_path(const std::string& run_dir);       // config.json
std::string source_tokenizer_dir(const std::string& run_dir);  // tokenizer/source
std::string target_tokenizer_dir(const std::string& run_dir);  // tokenizer/target

// Trains as `config` says, writing the run directory. A new run trains the tokenizers on the
// training split; resume (the config then is the run's own, load_run_config of config.json, with
// at most its epochs or limits changed) reloads them and continues from the last checkpoint.
// Steps are reported through `progress` (also Kind::kInfo events: the directory, the
// vocabularies, the data statistics and the model); `stop` (may be null) stops the run between
// two updates with a checkpoint. Throws ember::Error for bad config, missing or malformed data,
// or a checkpoint that does not fit.
TrainResult train_run(const RunConfig& config, const std::string& run_dir, bool resume,
                      const ProgressCallback& progress, const std::atomic<bool>* stop);

struct LoadedRun {
  RunConfig config;
  std::unique_ptr<Tokenizer> source_tokenizer;
  std::unique_ptr<Tokenizer> target_tokenizer;
  std::shared_ptr<Seq2SeqModel> model;  // in eval mode
  std::string checkpoint;               // the file its weights came from
  // An ensemble (ensemble_run.h): the configs of the runs after the first (empty for one run).
  std::vector<RunConfig> ensemble_configs;
};

// Loads a run's config, tokenizers and model weights: from `checkpoint` when given (a training
// checkpoint or a model-weights file, or best, last or average: that file of the run,
// checkpoint_files.h), else checkpoints/best.safetensors, else checkpoints/last.safetensors.
// Throws "[run]" naming the directory when it is not a run, and the checkpoint's own error when
// the weights do not fit the model.
LoadedRun load_run(const std::string& run_dir, const std::string& checkpoint = "");

}  // namespace ember::seq2seq
