// What each rank was given, gathered and compared with rank 0's.
#include "ember/seq2seq/train/rank_agreement.h"

#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/distributed/collectives.h"

namespace ember::seq2seq {
namespace {

// FNV-1a (64 bits) over every line of both sides, each line ended by a 0 byte: enough to tell
// two copies of a corpus apart, not a guard against an adversary.
std::string fingerprint(const ParallelText& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto* side : {&text.source, &text.target}) {
    for (const std::string& line : *side) {
      for (const char c : line) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
      h *= 0x100000001b3ULL;  // the 0 byte between lines
    }
  }
  return fmt::format("{:016x} ({} pairs)", h, text.size());
}

}  // namespace

void check_ranks_agree(const RunConfig& config, const std::string& run_dir, bool resume,
                       const ParallelText& train, const ParallelText& valid) {
  check_ranks_agree(config, {{"run_dir", run_dir}, {"resume", resume}}, train, valid);
}

void check_ranks_agree(const RunConfig& config, nlohmann::json settings, const ParallelText& train,
                       const ParallelText& valid) {
  if (distributed::world_size() == 1) return;
  nlohmann::json mine = core::parse_json(to_json_string(config), "[run] run config");
  mine.update(settings);
  mine["text"] = {{"train", fingerprint(train)}, {"valid", fingerprint(valid)}};
  const std::vector<std::string> all = distributed::all_gather(mine.dump());
  const nlohmann::json first = nlohmann::json::parse(all[0]);
  for (size_t r = 1; r < all.size(); ++r) {
    if (all[r] == all[0]) continue;
    throw Error(fmt::format(
        "[run] the ranks were started differently: rank {} differs from rank 0 in {} (start "
        "every rank with the same flags and data)",
        r, fmt::join(core::json_differences(first, nlohmann::json::parse(all[r])), ", ")));
  }
}

}  // namespace ember::seq2seq
