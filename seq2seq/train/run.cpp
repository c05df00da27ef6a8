// A run directory: set up and train, or load for translation.
#include "seq2seq/train/run.h"

#include <filesystem>

#include "core/error.h"
#include "core/random.h"
#include "core/safetensors.h"
#include "layers/module.h"
#include "optim/checkpoint.h"
#include "seq2seq/models/factory.h"

namespace ember::seq2seq {
namespace {

namespace fs = std::filesystem;

void info(const ProgressCallback& progress, std::string message) {
  if (progress) progress({.kind = ProgressEvent::Kind::kInfo, .message = std::move(message)});
}

std::string stats_line(const char* split, const EncodeStats& s) {
  return fmt::format(
      "{}: {} examples; skipped {} with an empty side and {} too long{}{}", split, s.kept, s.empty,
      s.too_long, s.truncated ? fmt::format(", cut {} long sources", s.truncated) : "",
      s.tokenized_in_part
          ? fmt::format(" ({} lines so long that only their start was tokenized)", s.tokenized_in_part)
          : "");
}

// New run: tokenizers trained on the training text and saved; resumed run: the saved ones.
std::pair<std::unique_ptr<Tokenizer>, std::unique_ptr<Tokenizer>> run_tokenizers(
    const RunConfig& config, const ParallelText& train, const std::string& run_dir, bool resume) {
  if (resume) {
    return {load_tokenizer(source_tokenizer_dir(run_dir)),
            load_tokenizer(target_tokenizer_dir(run_dir))};
  }
  if (config.tokenizer.shared) {
    std::vector<std::string> both = train.source;
    both.insert(both.end(), train.target.begin(), train.target.end());
    auto joint = train_tokenizer(config.tokenizer, both);
    joint->save(source_tokenizer_dir(run_dir));
    joint->save(target_tokenizer_dir(run_dir));
    return {std::move(joint), load_tokenizer(target_tokenizer_dir(run_dir))};
  }
  auto source = train_tokenizer(config.tokenizer, train.source);
  auto target = train_tokenizer(config.tokenizer, train.target);
  source->save(source_tokenizer_dir(run_dir));
  target->save(target_tokenizer_dir(run_dir));
  return {std::move(source), std::move(target)};
}

// Validation: the filtered examples for the loss, and every pair with a target for the scores.
ValidationSet validation_set(const ParallelText& text, const Tokenizer& source,
                             const Tokenizer& target, const LengthFilter& filter,
                             EncodeStats* stats) {
  ValidationSet valid;
  valid.examples = encode_parallel(text, source, target, filter, stats);
  for (int64_t i = 0; i < text.size(); ++i) {
    if (text.target[i].find_first_not_of(" \t\r") == std::string::npos) continue;
    valid.sources.push_back(text.source[i]);
    valid.references.push_back(text.target[i]);
  }
  return valid;
}

// Weights from a training checkpoint (optim/checkpoint.h) or a model file (nn::save).
void load_weights(Seq2SeqModel& model, const std::string& path) {
  const core::SafeTensors st = core::load_safetensors(path);
  const auto format = st.metadata.find("format");
  if (format != st.metadata.end() && format->second == "ember.training_checkpoint.v1") {
    optim::TrainingState state{.model = &model, .generators = {}};
    optim::load_checkpoint(path, state);
  } else {
    nn::load(model, path);
  }
}

}  // namespace

std::string run_config_path(const std::string& run_dir) { return run_dir + "/config.json"; }
std::string source_tokenizer_dir(const std::string& run_dir) {
  return run_dir + "/tokenizer/source";
}
std::string target_tokenizer_dir(const std::string& run_dir) {
  return run_dir + "/tokenizer/target";
}

TrainResult train_run(const RunConfig& given, const std::string& run_dir, bool resume,
                      const ProgressCallback& progress, const std::atomic<bool>* stop) {
  EMBER_CHECK(!run_dir.empty(), "[run] no run directory given");
  const bool exists = fs::exists(run_config_path(run_dir));
  EMBER_CHECK(resume || !exists,
              "[run] {} already holds a run: continue it with --resume, or choose another "
              "--run-dir",
              run_dir);
  EMBER_CHECK(!resume || exists, "[run] cannot resume: {} is not a run directory (no config.json)",
              run_dir);
  RunConfig config = given;
  validate(config.train);
  EMBER_CHECK(!config.model.copy || config.tokenizer.shared,
              "[run] a copy model needs one vocabulary for both sides: add --shared-vocab");
  const ParallelText train_text = load_split(config.data, config.data.train_split);
  const ParallelText valid_text = load_split(config.data, config.data.valid_split);
  fs::create_directories(run_dir);
  info(progress, fmt::format("{} {}", resume ? "resuming the run in" : "run directory", run_dir));
  auto [source, target] = run_tokenizers(config, train_text, run_dir, resume);
  config.model.src_vocab_size = source->vocab_size();
  config.model.tgt_vocab_size = target->vocab_size();
  validate(config.model);
  info(progress, fmt::format("vocabularies: source {}, target {} ({})", source->vocab_size(),
                             target->vocab_size(), config.tokenizer.kind));

  const LengthFilter filter = length_filter(config);
  EncodeStats stats;
  std::vector<Example> train = encode_parallel(train_text, *source, *target, filter, &stats);
  info(progress, stats_line(config.data.train_split.c_str(), stats));
  ValidationSet valid = validation_set(valid_text, *source, *target, filter, &stats);
  info(progress, stats_line(config.data.valid_split.c_str(), stats));

  core::manual_seed(static_cast<uint64_t>(config.train.seed));
  const std::shared_ptr<Seq2SeqModel> model = make_model(config.model);
  info(progress,
       fmt::format("model: {}; {} parameters", model->describe(), model->num_parameters()));
  TrainOptions train_options = config.train;
  train_options.decode.max_source_tokens = decode_source_limit(config);
  Trainer trainer(*model, *source, *target, std::move(train), std::move(valid), train_options,
                  run_dir);
  save_run_config(run_config_path(run_dir), config);
  trainer.set_progress(progress);
  trainer.set_stop_flag(stop);
  if (resume) trainer.resume();
  return trainer.run();
}

LoadedRun load_run(const std::string& run_dir, const std::string& checkpoint) {
  EMBER_CHECK(fs::exists(run_config_path(run_dir)),
              "[run] {} is not a run directory (no config.json)", run_dir);
  LoadedRun run;
  run.config = load_run_config(run_config_path(run_dir));
  run.source_tokenizer = load_tokenizer(source_tokenizer_dir(run_dir));
  run.target_tokenizer = load_tokenizer(target_tokenizer_dir(run_dir));
  run.model = make_model(run.config.model);
  run.checkpoint = checkpoint;
  if (run.checkpoint.empty()) {
    const std::string best = run_dir + "/checkpoints/best.safetensors";
    run.checkpoint = fs::exists(best) ? best : run_dir + "/checkpoints/last.safetensors";
  }
  EMBER_CHECK(fs::exists(run.checkpoint), "[run] no checkpoint {} in {}", run.checkpoint, run_dir);
  try {
    load_weights(*run.model, run.checkpoint);
  } catch (const Error& e) {
    throw Error(fmt::format("[run] the weights of {} do not fit the model of {}: {}",
                            run.checkpoint, run_dir, e.what()));
  }
  run.model->eval();
  return run;
}

}  // namespace ember::seq2seq
