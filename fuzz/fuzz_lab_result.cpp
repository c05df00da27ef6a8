// lab::parse_lab_result (a result.json of `ember compare`, read by `ember compare --report`) on
// arbitrary bytes; a result it accepts must aggregate alone, as one run of one model whose means
// are its own values with standard deviation 0.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/lab/lab_aggregate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember::seq2seq::lab;
  LabResult run;
  try {
    run = parse_lab_result(std::string(reinterpret_cast<const char*>(data), size), "result.json");
  } catch (const ember::Error&) {
    return 0;
  }
  const LabAggregate table = aggregate_lab_results({run});
  if (table.models.size() != 1 || table.curves.size() != 1) __builtin_trap();
  const ModelSummary& m = table.models.front();
  if (m.model != run.result.name || m.seeds.size() != 1 ||
      m.greedy.mean != run.result.greedy_score || m.greedy.std != 0.0 ||
      table.common_updates != run.result.curve.back().step)
    __builtin_trap();
  if (table.curves.front().updates.size() != run.result.curve.size()) __builtin_trap();
  return 0;
}
