// seq2seq::run_config_from_json (a run's config.json) on arbitrary text; a config it accepts
// must write out and read back to the same text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/train/run_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember::seq2seq;
  RunConfig config;
  try {
    config = run_config_from_json(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const ember::Error&) {
    return 0;
  }
  const std::string once = to_json_string(config);
  if (to_json_string(run_config_from_json(once)) != once) __builtin_trap();
  return 0;
}
