// The command-line flags of a training run (`ember train`, `ember demo`): data, tokenizer, model
// and training options, each writing into a RunConfig field, as `ember train --help` lists them.
//
//   RunConfig config;
//   ModelFlags model_flags;
//   FlagSet flags("ember train", "...");
//   add_data_flags(flags, config.data);
//   add_model_flags(flags, model_flags);
//   flags.parse(args);
//   config.model = model_flags.apply(config.model);
#pragma once

#include <map>
#include <string>

#include "ember/seq2seq/cli/flags.h"
#include "ember/seq2seq/train/run_config.h"

namespace ember::seq2seq::cli {

// Model flags collect JSON values by ModelConfig key and are applied over a base config at once,
// so that --preset resets the sizes before --hidden-size and friends whatever their order. An
// --arch without --preset implies --preset small (another architecture's sizes rarely fit).
struct ModelFlags {
  std::map<std::string, std::string> json_values;  // key -> JSON literal ("128", "\"lstm\"")
  ModelConfig apply(const ModelConfig& base) const;
};

// The flags write into their arguments, which must outlive `flags`.
void add_data_flags(FlagSet& flags, DataConfig& data);
void add_tokenizer_flags(FlagSet& flags, TokenizerOptions& tokenizer);
void add_model_flags(FlagSet& flags, ModelFlags& model_flags);
void add_train_flags(FlagSet& flags, TrainOptions& train);

}  // namespace ember::seq2seq::cli
