#include "ember/seq2seq/train/checkpoint_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "ember/core/error.h"

namespace ember::seq2seq {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStepPrefix = "step-";
constexpr std::string_view kSuffix = ".safetensors";

// N of "step-<N>.safetensors" (decimal digits only), or -1 for any other name.
int64_t step_of(const std::string& filename) {
  if (filename.size() <= kStepPrefix.size() + kSuffix.size() ||
      filename.compare(0, kStepPrefix.size(), kStepPrefix) != 0 ||
      filename.compare(filename.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return -1;
  const char* begin = filename.data() + kStepPrefix.size();
  const char* end = filename.data() + filename.size() - kSuffix.size();
  if (!std::all_of(begin, end, [](char c) { return c >= '0' && c <= '9'; })) return -1;
  int64_t step = -1;
  const auto [ptr, ec] = std::from_chars(begin, end, step);
  return ec == std::errc() && ptr == end ? step : -1;
}

}  // namespace

std::string checkpoint_dir(const std::string& run_dir) { return run_dir + "/checkpoints"; }

std::string periodic_checkpoint_path(const std::string& run_dir, int64_t step) {
  return fmt::format("{}/{}{}{}", checkpoint_dir(run_dir), kStepPrefix, step, kSuffix);
}

std::vector<PeriodicCheckpoint> periodic_checkpoints(const std::string& run_dir) {
  std::vector<PeriodicCheckpoint> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(checkpoint_dir(run_dir), ec)) {
    const int64_t step = step_of(entry.path().filename().string());
    if (step >= 0 && entry.is_regular_file()) out.push_back({step, entry.path().string()});
  }
  std::sort(out.begin(), out.end(), [](const PeriodicCheckpoint& a, const PeriodicCheckpoint& b) {
    return a.step < b.step;
  });
  return out;
}

void prune_periodic_checkpoints(const std::string& run_dir, int64_t keep) {
  const std::vector<PeriodicCheckpoint> all = periodic_checkpoints(run_dir);
  const auto excess = static_cast<int64_t>(all.size()) - keep;
  for (int64_t i = 0; i < excess; ++i) {
    std::error_code ec;
    fs::remove(all[static_cast<size_t>(i)].path, ec);
    EMBER_CHECK(!ec, "[trainer] cannot remove the old checkpoint {}: {}", all[i].path,
                ec.message());
  }
}

bool is_checkpoint_name(const std::string& name) {
  return name == "best" || name == "last" || name == "average";
}

std::string resolve_checkpoint(const std::string& run_dir, const std::string& name) {
  if (!name.empty() && !is_checkpoint_name(name)) return name;
  const std::string best = checkpoint_dir(run_dir) + "/best.safetensors";
  const std::string last = checkpoint_dir(run_dir) + "/last.safetensors";
  if (name.empty()) return fs::exists(best) ? best : last;
  const std::string path = fmt::format("{}/{}.safetensors", checkpoint_dir(run_dir), name);
  EMBER_CHECK(fs::exists(path), "[run] --checkpoint {}: {} does not exist{}", name, path,
              name == "average" ? " (write it with: ember average --run " + run_dir + ")"
              : name == "best"  ? " (the run has not been validated yet)"
                                : " (the run has not saved a checkpoint yet)");
  return path;
}

}  // namespace ember::seq2seq
