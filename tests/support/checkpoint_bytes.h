// A training checkpoint's bytes without what differs between two runs of the same updates: the
// training times (wall and CPU, trainer.cpp's counters) and the checksums that cover them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ember/core/safetensors.h"

namespace ember::testing {

inline std::string checkpoint_without_times(const std::string& path) {
  core::SafeTensors file = core::load_safetensors(path);
  file.metadata.erase("checksums");
  nlohmann::json extra = nlohmann::json::parse(file.metadata.at("extra"));
  extra.erase("train_seconds");
  extra.erase("train_cpu_seconds");
  file.metadata["extra"] = extra.dump();
  return core::serialize_safetensors(file);
}

}  // namespace ember::testing
