#include "ember/seq2seq/train/average.h"

#include <fmt/ranges.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "ember/core/checksums.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/seq2seq/train/checkpoint_files.h"

namespace ember::seq2seq {
namespace {

namespace fs = std::filesystem;
using core::NDArray;

constexpr const char* kModelConfigKey = "model_config";  // run.cpp records it in every file

// A weight file read whole and checked: its checksums, and that it holds a model's float
// tensors only (a training checkpoint's optimizer state is not averaged).
core::SafeTensors read_weights(const std::string& path) {
  core::SafeTensors file = core::load_safetensors(path);
  core::verify_checksums(file, fmt::format("[average] {}", path), /*required=*/false);
  const auto format = file.metadata.find("format");
  EMBER_CHECK(format == file.metadata.end() || format->second != "ember.training_checkpoint.v1",
              "[average] {} is a training checkpoint; average the model-weight files (the run's "
              "step-<N>.safetensors)",
              path);
  EMBER_CHECK(file.indices.empty() && file.masks.empty(),
              "[average] {} holds integer or mask tensors: not a model's weights", path);
  return file;
}

// The recorded architecture (without dropout, which changes training, not the parameters).
nlohmann::json recorded_model(const core::SafeTensors& file, const std::string& path) {
  const auto it = file.metadata.find(kModelConfigKey);
  if (it == file.metadata.end()) return nullptr;
  nlohmann::json j =
      core::parse_json(it->second, fmt::format("[average] {}: '{}'", path, kModelConfigKey));
  if (j.is_object()) j.erase("dropout");
  return j;
}

// Refuses `file` unless it holds the tensors of `first`, of the same shapes, and the same model.
void check_same_model(const core::SafeTensors& first, const std::string& first_path,
                      const core::SafeTensors& file, const std::string& path) {
  for (const auto& [name, array] : first.floats) {
    const auto it = file.floats.find(name);
    EMBER_CHECK(it != file.floats.end(),
                "[average] {} has the tensor '{}' that {} lacks: not "
                "checkpoints of one model",
                first_path, name, path);
    EMBER_CHECK(it->second.shape() == array.shape(),
                "[average] tensor '{}' is {} in {} but {} in {}: not checkpoints of one model",
                name, shape_str(array.shape()), first_path, shape_str(it->second.shape()), path);
  }
  for (const auto& [name, array] : file.floats)
    EMBER_CHECK(first.floats.count(name) != 0,
                "[average] {} has the tensor '{}' that {} lacks: not checkpoints of one model",
                path, name, first_path);
  const nlohmann::json a = recorded_model(first, first_path), b = recorded_model(file, path);
  EMBER_CHECK(a == b, "[average] {} and {} record different models: {} vs {}", first_path, path,
              a.dump(), b.dump());
}

}  // namespace

core::SafeTensors average_checkpoints(const std::vector<std::string>& paths) {
  EMBER_CHECK(!paths.empty(), "[average] no checkpoint to average");
  core::SafeTensors out = read_weights(paths.front());
  std::map<std::string, std::vector<double>> sums;
  for (const auto& [name, array] : out.floats) {
    const NDArray values = array.contiguous();
    sums[name].assign(values.data(), values.data() + values.numel());
  }
  for (size_t k = 1; k < paths.size(); ++k) {
    const core::SafeTensors file = read_weights(paths[k]);
    check_same_model(out, paths.front(), file, paths[k]);
    for (const auto& [name, array] : file.floats) {
      const NDArray values = array.contiguous();
      std::vector<double>& sum = sums[name];
      for (int64_t i = 0; i < values.numel(); ++i) sum[static_cast<size_t>(i)] += values.data()[i];
    }
  }
  const double n = static_cast<double>(paths.size());
  for (auto& [name, array] : out.floats) {
    NDArray mean = NDArray::empty(array.shape());
    const std::vector<double>& sum = sums[name];
    for (int64_t i = 0; i < mean.numel(); ++i)
      mean.data()[i] = static_cast<float>(sum[static_cast<size_t>(i)] / n);
    array = mean;
  }
  std::vector<std::string> names;
  for (const std::string& path : paths) names.push_back(fs::path(path).filename().string());
  out.metadata.erase(core::kChecksumsKey);
  out.metadata.erase("step");
  out.metadata["averaged_from"] = fmt::format("{}", fmt::join(names, ","));
  return out;
}

AveragedRun average_run(const std::string& run_dir, int64_t last, const std::string& output) {
  EMBER_CHECK(last >= 1, "[average] --last must be >= 1, got {}", last);
  EMBER_CHECK(fs::exists(run_dir + "/config.json"),
              "[average] {} is not a run directory (no config.json)", run_dir);
  const std::vector<PeriodicCheckpoint> kept = periodic_checkpoints(run_dir);
  EMBER_CHECK(static_cast<int64_t>(kept.size()) >= last,
              "[average] {} keeps {} periodic checkpoint(s) (checkpoints/step-<N>.safetensors), "
              "fewer than --last {}: train with --keep-checkpoints {} (or more) and a --save-every "
              "that saves often enough",
              run_dir, kept.size(), last, last);
  AveragedRun result;
  std::vector<std::string> paths;
  for (size_t i = kept.size() - static_cast<size_t>(last); i < kept.size(); ++i) {
    result.steps.push_back(kept[i].step);
    paths.push_back(kept[i].path);
  }
  core::SafeTensors average = average_checkpoints(paths);
  core::add_checksums(average);
  result.output = output.empty() ? checkpoint_dir(run_dir) + "/average.safetensors" : output;
  core::save_safetensors(result.output, average);
  return result;
}

}  // namespace ember::seq2seq
