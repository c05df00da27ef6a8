// Replays files through a fuzz target's LLVMFuzzerTestOneInput, one input at a time as libFuzzer
// runs them, in the ordinary build: each target's seed corpus and the inputs of its fixed
// findings (fuzz/regressions/<target>/) run with every `./run test`, and under the sanitizers in
// CI, so that a finding, once fixed, stays fixed. A target reports a finding by crashing (an
// escaped exception, a sanitizer report or __builtin_trap), which fails the test.
//   replay_fuzz_<target> DIR...   (a directory that does not exist is skipped)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::set<fs::path> inputs;  // sorted: the same order every run
  for (int i = 1; i < argc; ++i) {
    if (!fs::is_directory(argv[i])) continue;
    for (const auto& entry : fs::directory_iterator(argv[i]))
      if (entry.is_regular_file()) inputs.insert(entry.path());
  }
  for (const fs::path& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::printf("%s\n", path.c_str());
    std::fflush(stdout);  // the input a crash happens on is the last one printed
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%zu inputs replayed\n", inputs.size());
  return inputs.empty() ? 1 : 0;
}
