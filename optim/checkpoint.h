// Training checkpoints: everything a run needs to stop and continue exactly, in ONE safetensors
// file (docs/training.md):
//
//   tensors   model.<name>              the model's state_dict (torch's dotted names), F32
//             optimizer.<i>.<buffer>    the optimizer's buffers of parameter i (exp_avg, ...), F32
//             optimizer.<i>.step        its update count, I64 of shape ()
//   metadata  format      "ember.training_checkpoint.v1"
//             step, epoch the counters of TrainingState
//             optimizer   {"type": "AdamW", "groups": [{"size", "lr", "weight_decay"}, ...]}
//             schedule    {"type": "Noam", "state": {...}}
//             generators  {"default": {"seed", "counter"}, ...}
//             extra       the user's own string pairs
//             checksums   core/checksums.h: a 64-bit hash of every tensor and of the other
//                          metadata, in hex: a flipped byte names its key
// Numbers are stored as decimal strings that read back to the same bits.
//
// Saving is atomic (core::save_safetensors: temporary file in the same directory, flushed and
// synced, renamed over the target), so a crash mid-write leaves the previous checkpoint intact.
// Loading checks the whole file against the live objects first — a corrupt or truncated file, a
// tensor failing its checksum, a missing or unexpected key, a shape that differs from the
// model's, another optimizer or schedule type — and refuses with an ember::Error naming the file
// and the key, having changed nothing. Only then does it write the model, optimizer, schedule,
// generators and counters. A null optimizer or schedule in the TrainingState skips that part of
// the file (to evaluate a checkpoint's model, say); the file must hold every generator listed.
#pragma once

#include <map>
#include <string>

#include "ember/core/random.h"
#include "ember/core/safetensors.h"
#include "ember/layers/module.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/schedule.h"

namespace ember::optim {

// The live objects and counters of a training run, as a checkpoint saves and restores them.
struct TrainingState {
  nn::Module* model = nullptr;     // required
  Optimizer* optimizer = nullptr;  // optional
  Schedule* schedule = nullptr;    // optional
  std::map<std::string, core::Generator*> generators = {
      {"default", &core::default_generator()}};  // every generator the run draws from
  int64_t step = 0;                              // updates done
  int64_t epoch = 0;
  std::map<std::string, std::string> extra{};  // anything else (best validation loss, config...)
};

void save_checkpoint(const std::string& path, const TrainingState& state);

// Restores `state` from `path`; throws without changing anything when the file does not match.
void load_checkpoint(const std::string& path, TrainingState& state);
// The same from a file already read (core::load_safetensors), `path` naming it in errors.
void load_checkpoint(core::SafeTensors file, const std::string& path, TrainingState& state);

}  // namespace ember::optim
