// tests/data: the fixtures the tests read (sacreBLEU's and NLTK's outputs, old file formats).
#pragma once

#include <filesystem>

namespace ember::testing {

// __FILE__ may be relative to the directory the test was compiled in, which CMake makes the
// executable's own directory; run from anywhere, the path holds.
inline std::filesystem::path test_data_dir() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / __FILE__)
             .lexically_normal()
             .parent_path()
             .parent_path() /
         "data";
}

}  // namespace ember::testing
