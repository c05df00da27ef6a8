// tests/data/sacrebleu: edge-case hypothesis and reference files and sacreBLEU 2.6.0's outputs on
// them (written by tests/data/sacrebleu/make_expected.py; see the README there), for the metric
// and `ember score` tests. Reading them needs no sacreBLEU.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ember::testing {

// __FILE__ may be relative to the directory the test was compiled in, which CMake makes the
// executable's own directory; run from anywhere, the path holds.
inline std::filesystem::path sacrebleu_fixtures() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / __FILE__)
             .lexically_normal()
             .parent_path()
             .parent_path() /
         "data" / "sacrebleu";
}

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(sacrebleu_fixtures() / name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ember::testing
