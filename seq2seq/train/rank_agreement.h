// The ranks of one data-parallel run (mpirun -np N ember train) must be started alike: the same
// settings, run directory and --resume, and the same training and validation text. Each rank
// describes what it was given, the descriptions are gathered, and every rank refuses a
// difference with the same message, before any rank writes or trains.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ember/seq2seq/data/parallel_corpus.h"
#include "ember/seq2seq/train/run_config.h"

namespace ember::seq2seq {

// Throws "[run] the ranks were started differently: rank R differs from rank 0 in <key> <value
// on 0> -> <value on R>, ..." naming the first rank that differs and every differing setting
// ("train.lr 0.001 -> 0.002") or data split ("data: train text <hash> -> <hash>"). Nothing at world
// size 1.
void check_ranks_agree(const RunConfig& config, const std::string& run_dir, bool resume,
                       const ParallelText& train, const ParallelText& valid);
// The same for another command over the same data (ember compare): `settings` holds its own
// options (keys of its choosing), compared beside the config and the text.
void check_ranks_agree(const RunConfig& config, nlohmann::json settings, const ParallelText& train,
                       const ParallelText& valid);

}  // namespace ember::seq2seq
