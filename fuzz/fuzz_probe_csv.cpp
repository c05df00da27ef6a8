// lab::parse_probe_csv (a probe's probe.csv, read by `ember probe --aggregate`) on arbitrary
// bytes; rows it accepts must aggregate, and a single run's means must be its own values.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/lab/probe_aggregate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember::seq2seq::lab;
  std::vector<ProbeCsvRow> rows;
  try {
    rows = parse_probe_csv(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  } catch (const ember::Error&) {
    return 0;
  }
  std::vector<ProbeSummary> table;
  try {
    table = aggregate_probe_rows({rows});
  } catch (const ember::Error&) {
    return 0;  // a (task, model, bucket) twice
  }
  if (table.size() != rows.size()) __builtin_trap();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (table[i].runs != 1 || table[i].exact.mean != rows[i].exact || table[i].exact.std != 0.0)
      __builtin_trap();
  }
  return 0;
}
