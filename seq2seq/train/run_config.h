// RunConfig: everything a training run is made of — the data, the tokenizer, the model and the
// training options — as one JSON document (the run directory's config.json, or a file given with
// --config) and as the command-line flags of `ember train` / `ember demo`.
//
//   {"data": {"dir": "../shared/data/multi30k", "source_side": "de", "target_side": "en",
//             "tokenized": true, ...},
//    "tokenizer": {"kind": "word", "vocab_size": 0, "min_count": 2, ...},
//    "model": {"architecture": "transformer", "preset": "small", ...},   (models/config.h)
//    "train": {"epochs": 10, "lr": 0.0005, ...}}                          (trainer.h)
//
// A JSON document may hold any subset of the keys; each replaces that field of a base config.
#pragma once

#include <cstdint>
#include <string>

#include "ember/seq2seq/data/parallel_corpus.h"
#include "ember/seq2seq/data/probing_corpus.h"
#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/models/config.h"
#include "ember/seq2seq/train/trainer.h"

namespace ember::seq2seq {

struct DataConfig {
  // A built-in corpus: "dates" (dates_corpus.h) or a probing task "copy" | "reverse" | "sort"
  // (probing_corpus.h); empty: files under dir.
  std::string builtin;
  std::string dir;  // the layout of parallel_corpus.h: <dir>/<split>[.tok].<side>[.gz]
  std::string source_side;
  std::string target_side;
  std::string train_split = "train";
  std::string valid_split = "valid";
  std::string test_split = "test";
  bool tokenized = false;  // read the <split>.tok.<side> files
  // Longer examples are skipped (counted); 0: as long as the batch budget and the model's
  // positions allow. truncate_source cuts long sources instead (summarization).
  int64_t max_source_tokens = 0;
  int64_t max_target_tokens = 0;
  bool truncate_source = false;
  // The dates corpus's sizes and seed (DatesOptions).
  int64_t dates_train_size = 20000;
  int64_t dates_valid_size = 1000;
  int64_t dates_test_size = 1000;
  int64_t dates_seed = 1;
  // The probing corpora's (ProbingOptions).
  int64_t probing_train_size = 20000;
  int64_t probing_valid_size = 1000;
  int64_t probing_test_size = 1000;
  int64_t probing_min_length = 5;
  int64_t probing_max_length = 100;
  int64_t probing_test_max_length = 0;
  int64_t probing_buckets = 6;
  int64_t probing_alphabet = 20;
  int64_t probing_seed = 1;
};

struct RunConfig {
  DataConfig data;
  TokenizerOptions tokenizer;  // one kind for both sides; a vocabulary each unless shared
  ModelConfig model;
  TrainOptions train;
};

std::string to_json_string(const RunConfig& config);  // every field, pretty-printed
// Throws "[run_config]" for invalid JSON, an unknown section or key, or a value of the wrong
// type; the model section reads as models/config.h's from_json_string (a "preset" key first).
RunConfig run_config_from_json(const std::string& json, const RunConfig& base = {});
// read_file + run_config_from_json; throws "[run_config]" naming a file that cannot be read.
RunConfig load_run_config(const std::string& path, const RunConfig& base = {});
void save_run_config(const std::string& path, const RunConfig& config);

// The text of a split: the built-in corpus, or the files of the data layout. Throws "[run_config]"
// when the config names no data (or an unknown built-in or split), and the readers' errors naming
// the file otherwise.
ParallelText load_split(const DataConfig& data, const std::string& split);

// The probing corpus options of the data config (task = builtin).
ProbingOptions probing_options(const DataConfig& data);

// The length filter of a run: the configured limits, bounded so that every kept example fits
// the batch budget and the model's positions.
LengthFilter length_filter(const RunConfig& config);

// What the run's model can read, for every decoding of it (validation, translate, eval, the
// demos): sources cut to the training length when the run truncates long sources (a summarizer
// reads at test time what it read in training), else (transformer, convs2s) to its positions less
// one for </s>, and outputs capped at the positions less one; no limits for the RNNs, which have
// no positions.
void set_decode_limits(const RunConfig& config, DecodeOptions& decode);

}  // namespace ember::seq2seq
