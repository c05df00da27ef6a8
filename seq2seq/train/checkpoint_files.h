// The weight files in a run's checkpoints/ directory, by name (trainer.h writes them):
//
//   last.safetensors      the training checkpoint (model, optimizer, ...), replaced at each save
//   best.safetensors      the model's weights at its best validation score
//   step-<N>.safetensors  the model's weights at update N, one per save, the newest
//                         TrainOptions::keep_checkpoints of them kept (for ember average)
//   average.safetensors   the mean of the last K of those (average.h)
//
// translate and eval choose among them with --checkpoint best|last|average|FILE.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::seq2seq {

std::string checkpoint_dir(const std::string& run_dir);  // <run_dir>/checkpoints
std::string periodic_checkpoint_path(const std::string& run_dir, int64_t step);

struct PeriodicCheckpoint {
  int64_t step = 0;
  std::string path;
};
// The step-<N>.safetensors files of the run, oldest (lowest N) first; none for a directory that
// does not exist.
std::vector<PeriodicCheckpoint> periodic_checkpoints(const std::string& run_dir);
// Removes the oldest step-<N> files until `keep` remain (each removal is one unlink: a reader
// sees a file whole or not at all).
void prune_periodic_checkpoints(const std::string& run_dir, int64_t keep);

// The weights file `name` stands for: "" -> best.safetensors if it exists, else
// last.safetensors; "best", "last", "average" -> that file of the run, which must exist (throws
// "[run]" naming it and how to make it); anything else is a path, returned as it is.
std::string resolve_checkpoint(const std::string& run_dir, const std::string& name);
// Whether `name` is one of the run's own files (best, last, average) rather than a path.
bool is_checkpoint_name(const std::string& name);

}  // namespace ember::seq2seq
