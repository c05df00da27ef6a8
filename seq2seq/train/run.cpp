// A run directory: set up and train, or load for translation.
#include "ember/seq2seq/train/run.h"

#include <fmt/ranges.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/core/random.h"
#include "ember/core/regular_file.h"
#include "ember/core/safetensors.h"
#include "ember/distributed/collectives.h"
#include "ember/layers/module.h"
#include "ember/optim/checkpoint.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/train/checkpoint_files.h"
#include "ember/seq2seq/train/rank_agreement.h"
#include "ember/seq2seq/train/run_lock.h"

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

// --tokenizer-from: the other run's tokenizer settings, which replace the given ones so that this
// run's config.json describes the vocabularies it uses.
TokenizerOptions borrowed_tokenizer_settings(const std::string& from_run,
                                             const std::string& run_dir) {
  EMBER_CHECK(fs::exists(run_config_path(from_run)),
              "[run] --tokenizer-from {}: not a run directory (no config.json)", from_run);
  std::error_code ignored;
  EMBER_CHECK(!fs::equivalent(from_run, run_dir, ignored),
              "[run] --tokenizer-from {} names the run directory itself; give another run",
              from_run);
  TokenizerOptions borrowed = load_run_config(run_config_path(from_run)).tokenizer;
  borrowed.from_run = from_run;
  load_tokenizer(source_tokenizer_dir(from_run));  // read once now: a run without its tokenizers
  load_tokenizer(target_tokenizer_dir(from_run));  // is refused before anything is written
  return borrowed;
}

// New run: tokenizers trained on the training text (or copied from --tokenizer-from's run) and
// saved; resumed run: the saved ones.
std::pair<std::unique_ptr<Tokenizer>, std::unique_ptr<Tokenizer>> run_tokenizers(
    const RunConfig& config, const ParallelText& train, const std::string& run_dir, bool resume) {
  if (resume) {
    return {load_tokenizer(source_tokenizer_dir(run_dir)),
            load_tokenizer(target_tokenizer_dir(run_dir))};
  }
  if (const std::string& from = config.tokenizer.from_run; !from.empty()) {
    load_tokenizer(source_tokenizer_dir(from))->save(source_tokenizer_dir(run_dir));
    load_tokenizer(target_tokenizer_dir(from))->save(target_tokenizer_dir(run_dir));
    return run_tokenizers(config, train, run_dir, true);
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

constexpr const char* kModelConfigKey = "model_config";  // in every checkpoint of a run

std::string last_checkpoint(const std::string& run_dir) {
  return checkpoint_dir(run_dir) + "/last.safetensors";
}

// The model config as a JSON object, without dropout: the settings that make the architecture
// (dropout changes training, not what the parameters mean, and may change on resume).
nlohmann::json architecture(const ModelConfig& config) {
  nlohmann::json j = core::parse_json(to_json_string(config), "[run] model config");
  j.erase("dropout");
  return j;
}

// What makes two models differ, from `from` to `to`: their architectures, without the vocabulary
// sizes (the tokenizers set those, and are compared apart).
std::vector<std::string> model_differences(const ModelConfig& from, const ModelConfig& to) {
  nlohmann::json a = architecture(from), b = architecture(to);
  for (const char* derived : {"src_vocab_size", "tgt_vocab_size"}) {
    a.erase(derived);
    b.erase(derived);
  }
  return core::json_differences(a, b);
}

// A resumed run may change its epochs, limits and other training options, never its model, data
// or tokenizers: the checkpoint would go on training under another meaning.
void check_resume_config(const RunConfig& saved, const RunConfig& given,
                         const std::string& run_dir) {
  const auto model = model_differences(saved.model, given.model);
  EMBER_CHECK(model.empty(),
              "[run] --resume cannot change the model of the run in {}: {} (train another model "
              "in a new --run-dir)",
              run_dir, fmt::join(model, ", "));
  const nlohmann::json a = core::parse_json(to_json_string(saved), "[run] run config");
  const nlohmann::json b = core::parse_json(to_json_string(given), "[run] run config");
  for (const char* section : {"data", "tokenizer"}) {
    const auto changed = core::json_differences(a.at(section), b.at(section));
    EMBER_CHECK(changed.empty(), "[run] --resume cannot change the {} of the run in {}: {}",
                section, run_dir, fmt::join(changed, ", "));
  }
}

// A checkpoint records the model it was trained as; config.json must describe the same one.
void check_recorded_model(const std::map<std::string, std::string>& strings,
                          const ModelConfig& config, const std::string& checkpoint,
                          const std::string& run_dir) {
  const auto recorded = strings.find(kModelConfigKey);
  if (recorded == strings.end()) return;  // a file from elsewhere, or from before ember kept it
  nlohmann::json trained =
      core::parse_json(recorded->second, fmt::format("[run] {}: '{}'", checkpoint, kModelConfigKey));
  trained.erase("dropout");
  const auto changed = core::json_differences(trained, architecture(config));
  EMBER_CHECK(changed.empty(),
              "[run] {} was trained as another model than {}/config.json describes: {} (the "
              "config was edited, or the checkpoint belongs to another run)",
              checkpoint, run_dir, fmt::join(changed, ", "));
}

// Weights from a training checkpoint (optim/checkpoint.h) or a model file (nn::save), checked
// against the model they were trained as when the file records it.
void load_weights(Seq2SeqModel& model, const ModelConfig& config, const std::string& path,
                  const std::string& run_dir) {
  core::SafeTensors file = core::load_safetensors(path);
  const auto format = file.metadata.find("format");
  if (format != file.metadata.end() && format->second == "ember.training_checkpoint.v1") {
    optim::TrainingState state{.model = &model, .generators = {}};
    optim::load_checkpoint(std::move(file), path, state);
    check_recorded_model(state.extra, config, path, run_dir);
  } else {
    nn::load(model, file, path);
    check_recorded_model(file.metadata, config, path, run_dir);
  }
}

// --init-from names a run directory or one of its checkpoint files (RUN/checkpoints/X.safetensors).
bool names_checkpoint_file(const std::string& init_from) {
  return fs::path(init_from).extension() == ".safetensors";
}

// --init-from as the run records it: a checkpoint file by its absolute path (a relative one
// names a file only from the directory it was given in); a run directory as given, like
// --tokenizer-from.
std::string recorded_init_from(const std::string& init_from) {
  if (init_from.empty() || !names_checkpoint_file(init_from)) return init_from;
  return fs::absolute(init_from).lexically_normal().string();
}

std::string init_run_dir(const std::string& init_from) {
  if (!names_checkpoint_file(init_from)) return init_from;
  // absolute: "best.safetensors" given in the checkpoints directory itself has a run above it
  return fs::absolute(init_from).lexically_normal().parent_path().parent_path().string();
}

// Whether two directories hold the same files, byte for byte (two runs' tokenizers).
bool same_files(const std::string& a, const std::string& b) {
  const auto contents = [](const std::string& dir) {
    std::map<std::string, std::string> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_regular_file() && !core::is_atomic_temporary(entry.path().filename().string()))
        files[entry.path().filename().string()] =
            core::read_regular_file(entry.path().string(), "[run]");
    return files;
  };
  const auto files = contents(a);
  return !files.empty() && files == contents(b);
}

// --init-from, checked before anything is written: a run with a checkpoint, not this one, of the
// same model over the same vocabularies. Returns the checkpoint whose weights the run starts from.
std::string checked_init_checkpoint(const RunConfig& config, const std::string& run_dir) {
  const std::string& from = config.train.init_from;
  const std::string from_dir = init_run_dir(from);
  EMBER_CHECK(fs::exists(run_config_path(from_dir)),
              "[run] --init-from {}: not a run directory nor a checkpoint file of one (no {})",
              from, run_config_path(from_dir));
  std::error_code ignored;
  EMBER_CHECK(!fs::equivalent(from_dir, run_dir, ignored),
              "[run] --init-from {} is this run's own; continue a run with --resume", from);
  const std::string checkpoint =
      names_checkpoint_file(from) ? from : resolve_checkpoint(from_dir, "");
  EMBER_CHECK(fs::is_regular_file(checkpoint),
              "[run] --init-from {}: no checkpoint {} (the run has not saved one yet)", from,
              checkpoint);
  // Loaded once now into the model the other run describes: a damaged file, or one of another
  // model, is refused before anything is written.
  const ModelConfig trained = load_run_config(run_config_path(from_dir)).model;
  load_weights(*make_model(trained), trained, checkpoint, from_dir);
  const auto changed = model_differences(trained, config.model);
  EMBER_CHECK(changed.empty(),
              "[run] --init-from {}: this run's model is not the one trained in {}: {} (give "
              "the same model flags)",
              from, from_dir, fmt::join(changed, ", "));
  const std::string& tokenizers = config.tokenizer.from_run;
  // Another --tokenizer-from is read first: a wrong path is named as such, not as other words.
  if (tokenizers != from_dir) borrowed_tokenizer_settings(tokenizers, run_dir);
  EMBER_CHECK(tokenizers == from_dir ||
                  (same_files(source_tokenizer_dir(tokenizers), source_tokenizer_dir(from_dir)) &&
                   same_files(target_tokenizer_dir(tokenizers), target_tokenizer_dir(from_dir))),
              "[run] --init-from {}: --tokenizer-from {} holds other vocabularies than {}; leave "
              "--tokenizer-from out to take that run's",
              from, tokenizers, from_dir);
  return checkpoint;
}

// Removes what writers killed mid-write left behind (core/atomic_file.h): the lock says that no
// other process writes here.
void remove_unfinished_writes(const std::string& run_dir, const ProgressCallback& progress) {
  std::vector<std::string> removed;
  for (const std::string& dir : {run_dir, checkpoint_dir(run_dir), source_tokenizer_dir(run_dir),
                                 target_tokenizer_dir(run_dir)}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && core::is_atomic_temporary(entry.path().filename().string()) &&
          fs::remove(entry.path(), ec))
        removed.push_back(entry.path().string());
    }
  }
  if (!removed.empty())
    info(progress, fmt::format("removed {} unfinished file(s) a killed process left: {}",
                               removed.size(), fmt::join(removed, ", ")));
}

// A run killed before its first checkpoint holds nothing to continue: its reports go, and it
// starts again.
void clear_unstarted_run(const std::string& run_dir, const ProgressCallback& progress) {
  for (const std::string& file : {run_dir + "/metrics.csv", run_dir + "/samples.txt",
                                  run_dir + "/curves.svg",
                                  checkpoint_dir(run_dir) + "/best.safetensors"})
    fs::remove(file);
  info(progress, fmt::format("{} holds a run that never saved a checkpoint: it starts again from "
                             "the first update",
                             run_dir));
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
  EMBER_CHECK(!resume || fs::exists(run_config_path(run_dir)),
              "[run] cannot resume: {} is not a run directory (no config.json)", run_dir);
  RunConfig config = given;
  config.train.init_from = recorded_init_from(config.train.init_from);
  // --init-from implies --tokenizer-from the same run: the weights mean its vocabularies' words.
  const auto imply_tokenizer_from = [&config] {
    if (!config.train.init_from.empty() && config.tokenizer.from_run.empty())
      config.tokenizer.from_run = init_run_dir(config.train.init_from);
  };
  std::string init_checkpoint;
  if (resume) {
    const RunConfig saved = load_run_config(run_config_path(run_dir));
    // The run goes on as it began (left out, --init-from is the saved one).
    const std::string given_init = config.train.init_from;
    EMBER_CHECK(given_init.empty() || given_init == saved.train.init_from ||
                    given_init == recorded_init_from(saved.train.init_from),
                "[run] --resume continues the run in {} as it began, from --init-from '{}'; it "
                "cannot change that to '{}'",
                run_dir, saved.train.init_from, given_init);
    config.train.init_from = saved.train.init_from;
    imply_tokenizer_from();
    // Borrowed tokenizers were copied when the run began: the other run need not exist now.
    const std::string& from = config.tokenizer.from_run;
    if (!from.empty() && from == saved.tokenizer.from_run) config.tokenizer = saved.tokenizer;
    check_resume_config(saved, config, run_dir);
    // A run stopped before its first checkpoint starts again, from the other run's weights.
    if (!config.train.init_from.empty() && !fs::exists(last_checkpoint(run_dir)))
      init_checkpoint = checked_init_checkpoint(config, run_dir);
  } else {
    imply_tokenizer_from();
    if (!config.train.init_from.empty()) init_checkpoint = checked_init_checkpoint(config, run_dir);
    if (!config.tokenizer.from_run.empty())
      config.tokenizer = borrowed_tokenizer_settings(config.tokenizer.from_run, run_dir);
  }
  validate(config.train);
  EMBER_CHECK(!config.model.copy || config.tokenizer.shared,
              "[run] a copy model needs one vocabulary for both sides: add --shared-vocab");
  const ParallelText train_text = load_split(config.data, config.data.train_split);
  const ParallelText valid_text = load_split(config.data, config.data.valid_split);

  check_ranks_agree(given, run_dir, resume, train_text, valid_text);

  // Rank 0 (the only process, usually) prepares the run directory and its tokenizers; the other
  // ranks of a data-parallel run then read them from it (the same path on every machine).
  const bool writer = distributed::rank() == 0;
  std::optional<RunLock> lock;
  bool continuing = false;
  if (writer) {
    lock.emplace(run_dir);  // one writer from here on; creates the directory
    remove_unfinished_writes(run_dir, progress);
    continuing = fs::exists(last_checkpoint(run_dir));
    EMBER_CHECK(resume || !continuing,
                "[run] {} already holds a run: continue it with --resume, or choose another "
                "--run-dir",
                run_dir);
    if (fs::exists(run_config_path(run_dir)) && !continuing) clear_unstarted_run(run_dir, progress);
    info(progress,
         fmt::format("{} {}", continuing ? "resuming the run in" : "run directory", run_dir));
  }
  auto [source, target] = writer
                              ? run_tokenizers(config, train_text, run_dir, continuing)
                              : std::pair<std::unique_ptr<Tokenizer>, std::unique_ptr<Tokenizer>>();
  std::string continuing_text = continuing ? "1" : "0";
  distributed::broadcast(continuing_text);  // the tokenizers are saved
  continuing = continuing_text == "1";
  if (!writer) std::tie(source, target) = run_tokenizers(config, train_text, run_dir, true);
  config.model.src_vocab_size = source->vocab_size();
  config.model.tgt_vocab_size = target->vocab_size();
  validate(config.model);
  info(progress, fmt::format("vocabularies: source {}, target {} ({}{})", source->vocab_size(),
                             target->vocab_size(), config.tokenizer.kind,
                             config.tokenizer.from_run.empty()
                                 ? ""
                                 : ", the tokenizers of " + config.tokenizer.from_run));

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
  if (!continuing && !init_checkpoint.empty()) {
    load_weights(*model, config.model, init_checkpoint, init_run_dir(config.train.init_from));
    info(progress, fmt::format("weights: those of {}", init_checkpoint));
  }
  if (config.train.precision == core::MatmulPrecision::bf16)
    info(progress, "matrix products in bf16 (float32 accumulation, weights and optimizer state)");
  TrainOptions train_options = config.train;
  set_decode_limits(config, train_options.decode);
  Trainer trainer(*model, *source, *target, std::move(train), std::move(valid), train_options,
                  run_dir);
  trainer.set_progress(progress);
  trainer.set_stop_flag(stop);
  trainer.set_checkpoint_metadata({{kModelConfigKey, to_json_string(config.model)}});
  if (continuing) {
    const std::string checkpoint = last_checkpoint(run_dir);
    check_recorded_model(trainer.resume(), config.model, checkpoint, run_dir);
  }
  if (writer) save_run_config(run_config_path(run_dir), config);  // every check passed
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
  run.checkpoint = resolve_checkpoint(run_dir, checkpoint);
  EMBER_CHECK(fs::exists(run.checkpoint), "[run] no checkpoint {} in {}", run.checkpoint, run_dir);
  try {
    load_weights(*run.model, run.config.model, run.checkpoint, run_dir);
  } catch (const Error& e) {
    throw Error(fmt::format("[run] cannot load the weights of {} into the model of {}: {}",
                            run.checkpoint, run_dir, e.what()));
  }
  run.model->eval();
  return run;
}

}  // namespace ember::seq2seq
