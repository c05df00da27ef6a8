// For the tests that launch mpirun (tests/mpi/): a scratch directory and a bash script run to
// completion, its stdout and stderr together.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli.h"

namespace ember::testing {

// <tmp>/ember-test-mpi-<name>, removed if it exists.
inline std::string mpi_scratch(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ember-test-mpi-" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

inline Outcome run_script(const std::string& script) {
  const std::string path = mpi_scratch("script-" + std::to_string(getpid())) + ".sh";
  std::ofstream(path) << script << "\n";
  Outcome out;
  FILE* pipe = popen(("bash '" + path + "' 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.output.append(buffer, n);
  out.code = exit_code(pclose(pipe));
  return out;
}

}  // namespace ember::testing
