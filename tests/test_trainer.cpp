#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ember/core/checksums.h"
#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/core/safetensors.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/train/trainer.h"
#include "support/checkpoint_bytes.h"
#include "support/files.h"

using namespace ember;
using namespace ember::seq2seq;
namespace fs = std::filesystem;

namespace {

// Reversing short strings of a, b, c, d: learnable in a few dozen updates.
struct Task {
  std::vector<std::string> sources, targets;
  CharTokenizer tokenizer;
  std::vector<Example> examples;
};

Task make_task(int64_t n) {
  Task t;
  core::Generator gen(5);
  for (int64_t i = 0; i < n; ++i) {
    std::string s;
    for (int64_t k = 0, len = 2 + gen.randint(4); k < len; ++k) s += "abcd"[gen.randint(4)];
    t.sources.push_back(s);
    t.targets.emplace_back(s.rbegin(), s.rend());
  }
  t.tokenizer = CharTokenizer::train(t.sources);
  for (int64_t i = 0; i < n; ++i) {
    t.examples.push_back({t.tokenizer.encode(t.sources[i]), t.tokenizer.encode(t.targets[i])});
  }
  return t;
}

std::shared_ptr<Seq2SeqModel> make_tiny(const Tokenizer& tok) {
  core::manual_seed(7);
  ModelConfig c = preset(Architecture::kRnnAttention, "tiny");
  c.src_vocab_size = c.tgt_vocab_size = tok.vocab_size();
  c.embedding_dim = 16;
  c.hidden_size = 32;
  return make_model(c);
}

TrainOptions tiny_options() {
  TrainOptions o;
  o.epochs = 3;
  o.max_tokens = 48;
  o.lr = 1e-2f;
  o.schedule = ScheduleKind::kConstant;
  o.warmup_steps = 0;
  o.log_every = 1;
  o.metric = MetricKind::kExact;
  o.eval_sentences = 0;
  o.samples = 2;
  return o;
}

ValidationSet validation(const Task& t) { return {t.examples, t.sources, t.targets}; }

std::string fresh_dir(const std::string& name) {
  // Per process, so that test runs of two build trees do not meet.
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

int64_t count_lines(const std::string& path) {
  std::ifstream in(path);
  int64_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST_CASE("a few epochs on tiny data lower the loss and write the run's files") {
  const Task task = make_task(48);
  auto model = make_tiny(task.tokenizer);
  const std::string dir = fresh_dir("ember_test_trainer_files");
  TrainOptions options = tiny_options();
  options.epochs = 20;
  Trainer trainer(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), options,
                  dir);
  std::vector<double> losses;
  std::vector<ProgressEvent::Kind> kinds;
  trainer.set_progress([&](const ProgressEvent& e) {
    kinds.push_back(e.kind);
    if (e.kind == ProgressEvent::Kind::kStep && e.report) losses.push_back(e.loss);
  });
  const TrainResult result = trainer.run();
  const int64_t steps = 20 * trainer.steps_per_epoch();
  CHECK(result.steps == steps);
  CHECK(result.epochs_done == 20);
  CHECK(result.stop_reason == StopReason::kFinished);
  REQUIRE(losses.size() == static_cast<size_t>(steps));
  const double first = (losses[0] + losses[1] + losses[2]) / 3.0;
  const double last = (losses[steps - 1] + losses[steps - 2] + losses[steps - 3]) / 3.0;
  INFO(first, " -> ", last);
  CHECK(last < 0.5 * first);
  REQUIRE(result.scores.size() == 1);
  CHECK(result.scores[0].first == "exact_match");
  CHECK(kinds.front() == ProgressEvent::Kind::kStart);
  CHECK(kinds.back() == ProgressEvent::Kind::kDone);
  CHECK(std::count(kinds.begin(), kinds.end(), ProgressEvent::Kind::kEvaluation) == 20);
  CHECK(std::count(kinds.begin(), kinds.end(), ProgressEvent::Kind::kCheckpoint) == 20);
  CHECK(count_lines(dir + "/metrics.csv") == 1 + steps + 20);  // header, updates, evaluations
  CHECK(fs::exists(dir + "/curves.svg"));
  CHECK(fs::exists(trainer.checkpoint_path()));
  CHECK(fs::exists(trainer.best_path()));
  std::ifstream samples(dir + "/samples.txt");
  std::stringstream text;
  text << samples.rdbuf();
  CHECK(text.str().rfind("== update " + std::to_string(trainer.steps_per_epoch()), 0) == 0);
  fs::remove_all(dir);
}

TEST_CASE("the stop flag saves a checkpoint; resuming ends with a straight run's weights") {
  const Task task = make_task(40);
  const std::string straight_dir = fresh_dir("ember_test_trainer_straight");
  const std::string resumed_dir = fresh_dir("ember_test_trainer_resumed");
  auto straight = make_tiny(task.tokenizer);
  Trainer(*straight, task.tokenizer, task.tokenizer, task.examples, validation(task),
          tiny_options(), straight_dir)
      .run();

  auto first = make_tiny(task.tokenizer);
  Trainer stopped(*first, task.tokenizer, task.tokenizer, task.examples, validation(task),
                  tiny_options(), resumed_dir);
  std::atomic<bool> stop{false};
  stopped.set_stop_flag(&stop);
  const int64_t stop_at = stopped.steps_per_epoch() + 2;  // in the middle of epoch 2
  stopped.set_progress([&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kStep && e.step == stop_at) stop = true;
  });
  const TrainResult partial = stopped.run();
  CHECK(partial.stop_reason == StopReason::kInterrupted);
  CHECK(partial.interrupted());
  CHECK(partial.steps == stop_at);

  core::manual_seed(99);  // whatever the generators hold now, the checkpoint restores them
  auto second = make_tiny(task.tokenizer);
  Trainer resumed(*second, task.tokenizer, task.tokenizer, task.examples, validation(task),
                  tiny_options(), resumed_dir);
  resumed.resume();
  double first_elapsed = -1.0;  // the training time goes on from the stopped run's
  resumed.set_progress([&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kStep && first_elapsed < 0.0) first_elapsed = e.elapsed_s;
  });
  const TrainResult rest = resumed.run();
  CHECK(first_elapsed >= partial.train_seconds);
  CHECK(rest.train_seconds > partial.train_seconds);
  CHECK_FALSE(rest.interrupted());
  CHECK(rest.steps == 3 * resumed.steps_per_epoch());
  const auto a = straight->named_parameters(), b = second->named_parameters();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].first);
    CHECK(a[i].second.to_vector() == b[i].second.to_vector());
  }
  CHECK(count_lines(resumed_dir + "/metrics.csv") == count_lines(straight_dir + "/metrics.csv"));
  fs::remove_all(straight_dir);
  fs::remove_all(resumed_dir);
}

TEST_CASE("max_steps and eval_every bound the run; no run directory writes nothing") {
  const Task task = make_task(40);
  auto model = make_tiny(task.tokenizer);
  TrainOptions o = tiny_options();
  o.epochs = 100;
  o.max_steps = 5;
  o.eval_every = 2;
  o.log_every = 2;
  Trainer trainer(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, "");
  int64_t evaluations = 0, reports = 0;
  trainer.set_progress([&](const ProgressEvent& e) {
    evaluations += e.kind == ProgressEvent::Kind::kEvaluation;
    reports += e.kind == ProgressEvent::Kind::kStep && e.report;
    if (e.kind == ProgressEvent::Kind::kStep) CHECK(e.total_steps == 5);
  });
  const TrainResult result = trainer.run();
  CHECK(result.steps == 5);
  CHECK(evaluations == 3);  // at updates 2, 4 and the last one
  CHECK(reports == 2);
  CHECK(result.stop_reason == StopReason::kMaxSteps);
  CHECK_FALSE(result.interrupted());
}

TEST_CASE("a time limit stops the run between updates, and the done event says why") {
  const Task task = make_task(40);
  auto model = make_tiny(task.tokenizer);
  TrainOptions o = tiny_options();
  o.max_seconds = 1e-9;  // any update takes longer
  Trainer trainer(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, "");
  std::string done;
  double step_eta = -1.0;
  trainer.set_progress([&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kDone) done = e.message;
    if (e.kind == ProgressEvent::Kind::kStep) step_eta = e.eta_s;
  });
  const TrainResult result = trainer.run();
  CHECK(result.steps == 1);
  CHECK(result.stop_reason == StopReason::kTimeLimit);
  CHECK(done.rfind("reached the time limit", 0) == 0);
  CHECK(step_eta == 0.0);  // the limit is reached, whatever the updates left
}

TEST_CASE("the ETA: the updates left at the pace so far, unless the time limit comes first") {
  CHECK(training_eta(10, 5, 5.0, 5.0, 0.0) == 10.0);    // 1 s an update, no limit
  CHECK(training_eta(10, 5, 5.0, 5.0, 100.0) == 10.0);  // the updates run out first
  CHECK(training_eta(10, 5, 5.0, 5.0, 8.0) == 3.0);     // the limit comes first
  CHECK(training_eta(10, 5, 9.5, 9.5, 8.0) == 0.0);     // past the limit: the run stops now
  CHECK(training_eta(10, 0, 0.0, 0.0, 8.0) == 0.0);     // no update timed yet
  CHECK(training_eta(-2, 5, 5.0, 5.0, 0.0) == 0.0);     // resumed past max_steps
  // Resumed after 100 s: the pace is this process's, the limit counts the time before it too.
  CHECK(training_eta(10, 5, 5.0, 105.0, 0.0) == 10.0);
  CHECK(training_eta(10, 5, 5.0, 105.0, 108.0) == 3.0);
}

TEST_CASE("patience: validations without a better score stop the run, at the same update after "
          "a resume") {
  const Task task = make_task(40);
  TrainOptions o = tiny_options();
  o.epochs = 100;
  o.lr = 1e-9f;  // the model stays as it was: no validation scores better than the first
  o.eval_every = 2;
  o.patience = 3;
  o.save_every = 0;
  o.save_minutes = 0.0;
  const std::string straight_dir = fresh_dir("ember_test_trainer_patience");
  const std::string resumed_dir = fresh_dir("ember_test_trainer_patience_resumed");
  auto straight = make_tiny(task.tokenizer);
  Trainer trainer(*straight, task.tokenizer, task.tokenizer, task.examples, validation(task), o,
                  straight_dir);
  std::string done;
  trainer.set_progress([&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kDone) done = e.message;
  });
  const TrainResult result = trainer.run();
  // Validations at updates 2 (the best), 4, 6 and 8: the third without a better score stops.
  CHECK(result.steps == 8);
  CHECK(result.stop_reason == StopReason::kNoImprovement);
  INFO(done);
  CHECK(done.rfind("stopped early: the best exact_match (", 0) == 0);
  CHECK(done.find("has not improved in 3 validations (patience 3)") != std::string::npos);

  // Stopped at update 5, after one validation without a better score, and resumed: the count
  // goes on from the checkpoint (afresh, the run would stop at update 10).
  auto first = make_tiny(task.tokenizer);
  Trainer stopped(*first, task.tokenizer, task.tokenizer, task.examples, validation(task), o,
                  resumed_dir);
  std::atomic<bool> stop{false};
  stopped.set_stop_flag(&stop);
  stopped.set_progress([&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kStep && e.step == 5) stop = true;
  });
  REQUIRE(stopped.run().steps == 5);
  auto second = make_tiny(task.tokenizer);
  Trainer resumed(*second, task.tokenizer, task.tokenizer, task.examples, validation(task), o,
                  resumed_dir);
  resumed.resume();
  const TrainResult rest = resumed.run();
  CHECK(rest.steps == 8);
  CHECK(rest.stop_reason == StopReason::kNoImprovement);
  fs::remove_all(straight_dir);
  fs::remove_all(resumed_dir);
}

TEST_CASE("the trainer refuses bad options, no data, and a missing checkpoint") {
  const Task task = make_task(8);
  auto model = make_tiny(task.tokenizer);
  const auto bad = [](auto change) {
    TrainOptions o = tiny_options();
    change(o);
    return o;
  };
  const auto refuses = [&](const TrainOptions& o, const char* text) {
    CHECK_THROWS_WITH_AS(
        Trainer(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, ""),
        doctest::Contains(text), ember::Error);
  };
  refuses(bad([](TrainOptions& o) { o.lr = 0.0f; }), "lr must be > 0");
  refuses(bad([](TrainOptions& o) { o.epochs = 0; }), "epochs");
  refuses(bad([](TrainOptions& o) { o.label_smoothing = 1.0f; }), "label_smoothing");
  refuses(bad([](TrainOptions& o) { o.eval_every = -1; }), "must be >= 0");
  refuses(bad([](TrainOptions& o) { o.schedule = ScheduleKind::kInverseSqrt; }),
          "warmup_steps >= 1");
  refuses(bad([](TrainOptions& o) { o.decode.beam_size = 100000; }),
          "[translate] beam_size = 100000 must be in [1, 1000]");
  refuses(bad([](TrainOptions& o) { o.decode.max_len.b = -5; }), "max_len a = ");
  refuses(bad([](TrainOptions& o) { o.save_every = -1; }), "save_every and save_minutes");
  refuses(bad([](TrainOptions& o) { o.patience = -1; }),
          "[trainer] patience must be >= 0 (0: no early stopping), got -1");
  refuses(bad([](TrainOptions& o) { o.schedule = ScheduleKind::kCosine, o.warmup_steps = 1000; }),
          "cosine schedule needs more updates");
  CHECK_THROWS_WITH_AS(Trainer(*model, task.tokenizer, task.tokenizer, {}, {}, tiny_options(), ""),
                       doctest::Contains("[trainer] no training examples"), ember::Error);
  const std::string dir = fresh_dir("ember_test_trainer_empty");
  Trainer trainer(*model, task.tokenizer, task.tokenizer, task.examples, {}, tiny_options(), dir);
  CHECK_THROWS_WITH_AS(trainer.resume(), doctest::Contains("[trainer] nothing to resume"),
                       ember::Error);
  fs::remove_all(dir);
}

namespace {

// The rows of a metrics.csv without the tokens_per_s column, the one that measures time.
std::vector<std::string> metrics_without_speed(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string f; std::getline(split, f, ',');) fields.push_back(f);
    if (fields.size() > 4) fields.erase(fields.begin() + 4);
    std::string row;
    for (const std::string& f : fields) row += f + ",";
    rows.push_back(row);
  }
  return rows;
}

// Rewrites one extra string of a training checkpoint with valid checksums: a file that passes
// every integrity check and holds what the test wants.
void edit_extra(const std::string& path, const std::string& key, const std::string& value) {
  core::SafeTensors st = core::load_safetensors(path);
  nlohmann::json extra = nlohmann::json::parse(st.metadata.at("extra"));
  extra[key] = value;
  st.metadata["extra"] = extra.dump();
  core::add_checksums(st);
  core::save_safetensors(path, st);
}

}  // namespace

TEST_CASE("checkpoints every few updates; a run killed after one resumes to the straight run") {
  const Task task = make_task(40);
  TrainOptions o = tiny_options();
  o.epochs = 2;
  o.max_tokens = 24;  // about 10 batches an epoch
  o.save_every = 3;
  o.save_minutes = 0.0;
  o.log_every = 4;  // a checkpoint at update 3 holds a report interval in progress
  const std::string straight_dir = fresh_dir("ember_test_trainer_periodic");
  const std::string killed_dir = fresh_dir("ember_test_trainer_killed");
  auto straight = make_tiny(task.tokenizer);
  Trainer trainer(*straight, task.tokenizer, task.tokenizer, task.examples, validation(task), o,
                  straight_dir);
  const int64_t per_epoch = trainer.steps_per_epoch();
  REQUIRE(per_epoch > 7);
  std::vector<int64_t> saved_at;
  trainer.set_progress([&](const ProgressEvent& e) {
    if (e.kind != ProgressEvent::Kind::kCheckpoint) return;
    saved_at.push_back(e.step);
    if (e.step == 7 - 7 % 3) {  // the state a kill right after this save would leave behind
      fs::create_directories(killed_dir + "/checkpoints");
      fs::copy_file(straight_dir + "/checkpoints/last.safetensors",
                    killed_dir + "/checkpoints/last.safetensors");
      fs::copy_file(straight_dir + "/metrics.csv", killed_dir + "/metrics.csv");
    }
  });
  trainer.run();
  std::vector<int64_t> expected;
  for (int64_t k = 3; k < 2 * per_epoch; k += 3)
    if (k != per_epoch) expected.push_back(k);
  expected.push_back(per_epoch);
  std::sort(expected.begin(), expected.end());
  expected.push_back(2 * per_epoch);
  CHECK(saved_at == expected);

  auto second = make_tiny(task.tokenizer);
  Trainer resumed(*second, task.tokenizer, task.tokenizer, task.examples, validation(task), o,
                  killed_dir);
  resumed.resume();
  resumed.run();
  CHECK(ember::testing::checkpoint_without_times(killed_dir + "/checkpoints/last.safetensors") ==
        ember::testing::checkpoint_without_times(straight_dir + "/checkpoints/last.safetensors"));
  // The loss of the report interval the kill cut in two comes out the same.
  CHECK(metrics_without_speed(killed_dir + "/metrics.csv") ==
        metrics_without_speed(straight_dir + "/metrics.csv"));
  fs::remove_all(straight_dir);
  fs::remove_all(killed_dir);
}

TEST_CASE("save_minutes bounds the time between checkpoints") {
  const Task task = make_task(40);
  TrainOptions o = tiny_options();
  o.epochs = 1;
  o.save_every = 0;
  o.save_minutes = 1e-9;  // due after every update
  const std::string dir = fresh_dir("ember_test_trainer_minutes");
  auto model = make_tiny(task.tokenizer);
  Trainer trainer(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, dir);
  int64_t saves = 0;
  trainer.set_progress([&](const ProgressEvent& e) { saves += e.kind == ProgressEvent::Kind::kCheckpoint; });
  trainer.run();
  CHECK(saves == trainer.steps_per_epoch());  // each update; the last one as the epoch's end
  fs::remove_all(dir);
}

TEST_CASE("resume refuses a training state the run cannot have reached, and damaged metrics rows "
          "do not block it") {
  const Task task = make_task(40);
  TrainOptions o = tiny_options();
  o.epochs = 1;
  o.max_tokens = 24;  // about 10 batches an epoch
  o.max_steps = 4;
  const std::string dir = fresh_dir("ember_test_trainer_state");
  {
    auto model = make_tiny(task.tokenizer);
    Trainer(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, dir).run();
  }
  const std::string path = dir + "/checkpoints/last.safetensors";
  const std::string good = ember::testing::read_file(path);
  const auto refused = [&](const std::string& key, const std::string& value, const char* text) {
    edit_extra(path, key, value);
    auto model = make_tiny(task.tokenizer);
    Trainer t(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, dir);
    CHECK_THROWS_WITH_AS(t.resume(), doctest::Contains(text), ember::Error);
    ember::testing::write_file(path, good);
  };
  refused("batch_in_epoch", "-1000000", "does not fit this run's");
  refused("batch_in_epoch", "3", "(update 4, 0 epochs and 3 batches done) does not fit");
  refused("has_best", "yes", "'has_best' is \"yes\"");
  refused("stale_evaluations", "-1", "'stale_evaluations' is -1, below 0");
  refused("interval_loss_sum", "nan", "expects a finite number, got 'nan'");
  refused("interval_loss_sum", "-2", "is impossible");
  refused("interval_tokens", "-5", "is impossible");
  {
    core::SafeTensors st = core::load_safetensors(path);
    st.metadata["step"] = std::to_string(int64_t{1} << 62);
    st.metadata["epoch"] = std::to_string(int64_t{1} << 62);
    core::add_checksums(st);
    core::save_safetensors(path, st);
    auto model = make_tiny(task.tokenizer);
    Trainer t(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, dir);
    CHECK_THROWS_WITH_AS(t.resume(), doctest::Contains("does not fit this run's"), ember::Error);
    ember::testing::write_file(path, good);
  }

  {
    std::ofstream(dir + "/metrics.csv", std::ios::app) << "12,0,1.5\n";  // a cut-off row
  }
  std::vector<std::string> notes;
  auto model = make_tiny(task.tokenizer);
  o.max_steps = 6;
  Trainer t(*model, task.tokenizer, task.tokenizer, task.examples, validation(task), o, dir);
  t.set_progress([&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kInfo) notes.push_back(e.message);
  });
  CHECK_NOTHROW(t.resume());
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("damaged metrics row") != std::string::npos);
  CHECK(notes[0].find("line ") != std::string::npos);
  CHECK(t.run().steps == 6);
  fs::remove_all(dir);
}
