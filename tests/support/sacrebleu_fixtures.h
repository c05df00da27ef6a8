// tests/data/sacrebleu: edge-case hypothesis and reference files and sacreBLEU 2.6.0's outputs on
// them (written by tests/data/sacrebleu/make_expected.py; see the README there), for the metric
// and `ember score` tests. Reading them needs no sacreBLEU.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_data.h"

namespace ember::testing {

inline std::filesystem::path sacrebleu_fixtures() { return test_data_dir() / "sacrebleu"; }

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(sacrebleu_fixtures() / name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ember::testing
