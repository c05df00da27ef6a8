// Checkpoint averaging (seq2seq/train/average.h) and the run's periodic checkpoint files
// (seq2seq/train/checkpoint_files.h).
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ember/core/checksums.h"
#include "ember/core/error.h"
#include "ember/layers/linear.h"
#include "ember/optim/checkpoint.h"
#include "ember/seq2seq/train/average.h"
#include "ember/seq2seq/train/checkpoint_files.h"
#include "support/files.h"

namespace fs = std::filesystem;
using namespace ember;
using namespace ember::seq2seq;
using testing::TempDir;

namespace {

// A run directory as average_run needs it: config.json and checkpoints/.
std::string make_run(const TempDir& dir) {
  const std::string run = dir.file("run");
  fs::create_directories(run + "/checkpoints");
  testing::write_file(run + "/config.json", "{}");
  return run;
}

// A Linear(2 -> 1) whose weight is {w0, w1} and bias b, saved as the run's weights at `step`.
void save_linear(const std::string& path, float w0, float w1, float b,
                 std::map<std::string, std::string> metadata = {{"model_config", "{\"a\": 1}"}}) {
  nn::Linear linear(2, 1);
  linear.state_dict().at("weight").data()[0] = w0;
  linear.state_dict().at("weight").data()[1] = w1;
  linear.state_dict().at("bias").data()[0] = b;
  nn::save(linear, path, metadata);
}

// doctest's Contains from a std::string (it takes a C string).
doctest::Contains has(const std::string& text) { return doctest::Contains(text.c_str()); }

}  // namespace

TEST_CASE("periodic checkpoints are listed by update, oldest first, and pruned to the newest") {
  TempDir dir("periodic_checkpoints");
  const std::string run = make_run(dir);
  for (int64_t step : {100, 9, 10}) save_linear(periodic_checkpoint_path(run, step), 0, 0, 0);
  // Names that are not step-<N>.safetensors are not the run's periodic checkpoints.
  for (const char* other : {"step-.safetensors", "step-1x.safetensors", "step-7.safetensors.tmp.1",
                            "best.safetensors", "step-+5.safetensors"})
    testing::write_file(run + "/checkpoints/" + other, "x");
  std::vector<int64_t> steps;
  for (const PeriodicCheckpoint& c : periodic_checkpoints(run)) steps.push_back(c.step);
  CHECK(steps == std::vector<int64_t>{9, 10, 100});
  CHECK(periodic_checkpoints(run).back().path == run + "/checkpoints/step-100.safetensors");
  prune_periodic_checkpoints(run, 2);
  steps.clear();
  for (const PeriodicCheckpoint& c : periodic_checkpoints(run)) steps.push_back(c.step);
  CHECK(steps == std::vector<int64_t>{10, 100});
  CHECK(fs::exists(run + "/checkpoints/best.safetensors"));
  CHECK(periodic_checkpoints(dir.file("nowhere")).empty());
}

TEST_CASE("the average is the element-wise mean, written with checksums, loadable by the model") {
  TempDir dir("average_mean");
  const std::string run = make_run(dir);
  save_linear(periodic_checkpoint_path(run, 5), 100.0f, 100.0f, 100.0f);  // too old: not in it
  save_linear(periodic_checkpoint_path(run, 10), 1.0f, -2.0f, 0.5f);
  save_linear(periodic_checkpoint_path(run, 20), 2.0f, 4.0f, 0.25f);
  save_linear(periodic_checkpoint_path(run, 30), 6.0f, 1.0f, 0.0f);
  const AveragedRun result = average_run(run, 3);
  CHECK(result.steps == std::vector<int64_t>{10, 20, 30});
  CHECK(result.output == run + "/checkpoints/average.safetensors");
  const core::SafeTensors file = core::load_safetensors(result.output);
  core::verify_checksums(file, "test", /*required=*/true);
  CHECK(file.metadata.at("averaged_from") ==
        "step-10.safetensors,step-20.safetensors,step-30.safetensors");
  CHECK(file.metadata.at("model_config") == "{\"a\": 1}");
  nn::Linear linear(2, 1);
  nn::load(linear, result.output);
  CHECK(linear.state_dict().at("weight").data()[0] == doctest::Approx(3.0f));
  CHECK(linear.state_dict().at("weight").data()[1] == doctest::Approx(1.0f));
  CHECK(linear.state_dict().at("bias").data()[0] == doctest::Approx(0.25f));
  // One checkpoint averages to itself; --output writes elsewhere.
  const std::string one = dir.file("one.safetensors");
  CHECK(average_run(run, 1, one).steps == std::vector<int64_t>{30});
  nn::load(linear, one);
  CHECK(linear.state_dict().at("weight").data()[0] == 6.0f);
}

TEST_CASE("averaging refuses checkpoints of different models, naming the files and shapes") {
  TempDir dir("average_refusals");
  const std::string a = dir.file("a.safetensors"), b = dir.file("b.safetensors");
  save_linear(a, 1, 2, 3);
  nn::Linear wider(3, 1);
  nn::save(wider, b, {{"model_config", "{\"a\": 1}"}});
  CHECK_THROWS_WITH_AS(average_checkpoints({a, b}),
                       has("tensor 'weight' is (1, 2) in " + a + " but (1, 3) in " + b), Error);
  nn::Linear no_bias(2, 1, /*bias=*/false);
  nn::save(no_bias, b, {{"model_config", "{\"a\": 1}"}});
  CHECK_THROWS_WITH_AS(average_checkpoints({a, b}),
                       has(a + " has the tensor 'bias' that " + b + " lacks"), Error);
  save_linear(b, 1, 2, 3, {{"model_config", "{\"a\": 2}"}});
  CHECK_THROWS_WITH_AS(average_checkpoints({a, b}), doctest::Contains("record different models"),
                       Error);
  // Dropout changes training, not the parameters: checkpoints across such a change average.
  save_linear(b, 3, 2, 1, {{"model_config", "{\"a\": 1, \"dropout\": 0.3}"}});
  save_linear(a, 1, 2, 3, {{"model_config", "{\"a\": 1, \"dropout\": 0.1}"}});
  CHECK(average_checkpoints({a, b}).floats.at("bias").data()[0] == 2.0f);
  CHECK_THROWS_WITH_AS(average_checkpoints({}), doctest::Contains("no checkpoint"), Error);
  // A training checkpoint holds an optimizer's state too: refused, naming it.
  nn::Linear linear(2, 1);
  optim::TrainingState state{.model = &linear};
  const std::string training = dir.file("last.safetensors");
  optim::save_checkpoint(training, state);
  CHECK_THROWS_WITH_AS(average_checkpoints({a, training}),
                       has(training + " is a training checkpoint"), Error);
  // A damaged file fails its checksum before anything is averaged.
  std::string bytes = testing::read_file(a);
  bytes[bytes.size() - 1] ^= 0x01;
  testing::write_file(a, bytes);
  CHECK_THROWS_WITH_AS(average_checkpoints({b, a}), doctest::Contains("fails its checksum"), Error);
}

TEST_CASE("average_run refuses a run that keeps too few checkpoints, saying how to keep more") {
  TempDir dir("average_run_refusals");
  const std::string run = make_run(dir);
  save_linear(periodic_checkpoint_path(run, 10), 1, 2, 3);
  CHECK_THROWS_WITH_AS(average_run(run, 2), doctest::Contains("keeps 1 periodic checkpoint(s)"),
                       Error);
  CHECK_THROWS_WITH_AS(average_run(run, 2), doctest::Contains("--keep-checkpoints 2"), Error);
  CHECK_THROWS_WITH_AS(average_run(run, 0), doctest::Contains("--last must be >= 1"), Error);
  CHECK_THROWS_WITH_AS(average_run(dir.file("nowhere"), 1),
                       doctest::Contains("is not a run directory"), Error);
  CHECK_FALSE(fs::exists(run + "/checkpoints/average.safetensors"));
}

TEST_CASE("--checkpoint names: best, last, average, or a path") {
  TempDir dir("resolve_checkpoint");
  const std::string run = make_run(dir);
  const std::string last = run + "/checkpoints/last.safetensors";
  const std::string best = run + "/checkpoints/best.safetensors";
  CHECK(resolve_checkpoint(run, "") == last);  // no best yet
  testing::write_file(best, "x");
  testing::write_file(last, "x");
  CHECK(resolve_checkpoint(run, "") == best);
  CHECK(resolve_checkpoint(run, "last") == last);
  CHECK(resolve_checkpoint(run, "best") == best);
  CHECK(resolve_checkpoint(run, "some/file.safetensors") == "some/file.safetensors");
  CHECK_THROWS_WITH_AS(resolve_checkpoint(run, "average"),
                       has("write it with: ember average --run " + run), Error);
  CHECK(is_checkpoint_name("average"));
  CHECK_FALSE(is_checkpoint_name("average.safetensors"));
}
