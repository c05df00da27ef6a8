// optim::load_checkpoint into a small live run (fuzz_util.h's TinyRun: Linear, AdamW,
// ReduceOnPlateau, a generator), from a file in /dev/shm holding the input. The input is loaded
// twice: as is (the checksums refuse nearly every mutation), and, when it is a safetensors file,
// with its "checksums" metadata recomputed, which lets the mutations reach the checks of the
// training state behind them (counters, optimizer and schedule state, generators).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ember/core/checksums.h"
#include "ember/core/error.h"
#include "ember/core/safetensors.h"
#include "fuzz/fuzz_util.h"
#include "ember/optim/checkpoint.h"

namespace {

void load(const std::string& bytes) {
  const std::string path = (ember::fuzz::scratch_dir("checkpoint") / "last.safetensors").string();
  ember::fuzz::write_bytes(path, bytes);
  ember::fuzz::TinyRun run;
  try {
    ember::optim::load_checkpoint(path, run.state);
  } catch (const ember::Error&) {
    return;
  }
  run.step();  // a loaded run must be able to train on
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  load(bytes);
  ember::core::SafeTensors st;
  try {
    st = ember::core::parse_safetensors(bytes, "fuzz");
  } catch (const ember::Error&) {
    return 0;
  }
  ember::core::add_checksums(st);
  load(ember::core::serialize_safetensors(st));
  return 0;
}
