// One contender's run of the comparison lab as a few small, self-describing files (never a
// checkpoint), written by run_comparison when the contender is done and read back by the
// aggregate report (lab_aggregate.h), so that a table can be built up run by run:
//
//   <out_dir>/results/<slug>-s<seed>/
//     result.json   the model (name, parameters, summary), the seed and lineup size, the command,
//                   the date (UTC), the machine (CPU, kernels, matrix products, threads), the data
//                   and budget, the whole run config, the training (updates, clocks, CPU time,
//                   tokens/s), the test scores (greedy, beam, by source length) and the curve:
//                   the update count, training time (clock and CPU), validation loss and score
//                   of each evaluation
//     curve.csv     the curve again, for a plotting program: update,train_seconds,valid_loss,
//                   valid_<score>,train_cpu_seconds
//     samples.txt   the first test sentences: source, reference, greedy and beam outputs
//     attention-<slug>[-layer<N>].svg   the model's attention maps of the test sentence the
//                   comparison draws (compare.cpp's attention_sentence); none for a model
//                   without attention
//
//   write_result_dir(comparison, contender, config, result_dir(out_dir, contender.name, seed));
//   LabResult run = read_lab_result("docs/results/lab/lstm-s1");
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ember/seq2seq/lab/compare.h"

namespace ember::seq2seq::lab {

// <out_dir>/results/<slug>-s<seed>
std::string result_dir(const std::string& out_dir, const std::string& model, int64_t seed);

// Writes these files into dir (created), each atomically; `config` is the contender's run
// config (its model filled in). Throws "[compare]" naming a file that cannot be written.
void write_result_dir(const Comparison& comparison, const ContenderResult& contender,
                      const RunConfig& config, const std::string& dir);

// A result.json read back.
struct LabResult {
  std::string file;  // the file it was read from
  int64_t seed = 0;
  std::string size;
  std::string score_name;  // exact_match, bleu, ...
  std::string command;
  std::string date;
  std::string machine;  // one line
  std::string data;     // the data, one line
  std::string budget;   // the training budget and recipe, one line
  // The run config without the seed and the model: runs aggregate only under one recipe.
  nlohmann::json recipe;
  int64_t beam_size = 0;
  int64_t test_sentences = 0;
  // The test split's source-length buckets (their bounds and sizes; mean_tokens is not kept),
  // one per entry of result.bucket_scores.
  std::vector<LengthBucket> buckets;
  ContenderResult result;  // name, summary, parameters, training, test scores, curve
};

// Parses a result.json strictly: every key above of the right type, counts and clocks >= 0,
// length buckets of at least one sentence with min_tokens <= max_tokens, in increasing order,
// scores and losses finite and >= 0, a model of the lineup, at least one evaluation and the
// evaluations in increasing update order. Throws "[lab_result] <name>: <what is wrong>".
LabResult parse_lab_result(const std::string& text, const std::string& name);
// dir/result.json, parsed.
LabResult read_lab_result(const std::string& dir);

}  // namespace ember::seq2seq::lab
