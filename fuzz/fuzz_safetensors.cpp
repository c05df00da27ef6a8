// core::parse_safetensors on arbitrary bytes. Beyond "no crash, only ember::Error": a file that
// parses must serialize, and what it serializes to must parse back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ember/core/error.h"
#include "ember/core/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember::core;
  SafeTensors st;
  try {
    st = parse_safetensors(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const ember::Error&) {
    return 0;
  }
  // Not in a try: an accepted file that cannot be written back, or changes, is a finding.
  const std::string once = serialize_safetensors(st);
  if (serialize_safetensors(parse_safetensors(once, "re-parse")) != once) __builtin_trap();
  return 0;
}
