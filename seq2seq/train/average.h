// Checkpoint averaging: the element-wise mean of every parameter over several weight files of one
// model, as Marian's scripts/checkpoints/average.py and fairseq's
// scripts/average_checkpoints.py do. Averaging the last few checkpoints of a run smooths the
// noise of the last updates (Vaswani et al., 2017, section 6.1 average the last 5 or 20) and is
// commonly worth a few tenths of BLEU; docs/seq2seq.md measures it.
//
//   AveragedRun result = average_run("runs/m30k", /*last=*/5, /*output=*/"");
//   // -> runs/m30k/checkpoints/average.safetensors, then: ember eval --checkpoint average
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/core/safetensors.h"

namespace ember::seq2seq {

// The mean of the model-weight files at `paths` (nn::save's files: the run's step-<N> and best
// files), each read whole and checked against its checksums first. Throws "[average]" naming the
// files for: no path; a training checkpoint or a file holding non-float tensors; two files whose
// tensor names differ (naming a tensor one has and the other lacks) or whose shapes differ
// (naming the tensor and both shapes); or whose recorded model configs ("model_config") differ.
// The result holds the first file's metadata except its checksums and step, plus
// "averaged_from" (the file names, comma-separated); means are summed in double precision.
core::SafeTensors average_checkpoints(const std::vector<std::string>& paths);

struct AveragedRun {
  std::vector<int64_t> steps;  // the updates of the averaged checkpoints, oldest first
  std::string output;          // the file written
};

// Averages the run's newest `last` step-<N> checkpoints (checkpoint_files.h) into `output`
// (default: <run_dir>/checkpoints/average.safetensors), written atomically with checksums like
// every weight file. Throws "[average]" when last < 1, when the run keeps fewer step-<N> files
// than `last` (saying how many it has and how to keep more: --keep-checkpoints), or for files
// average_checkpoints refuses.
AveragedRun average_run(const std::string& run_dir, int64_t last, const std::string& output = "");

}  // namespace ember::seq2seq
