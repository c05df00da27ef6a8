#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/train/ensemble_run.h"
#include "ember/seq2seq/train/run.h"
#include "ember/seq2seq/train/run_lock.h"
#include "support/files.h"
#include "support/tiny_runs.h"

using namespace ember;
using namespace ember::seq2seq;
namespace fs = std::filesystem;

namespace {

using ember::testing::tiny_dates_run;
using ember::testing::tiny_transformer_run;

std::string fresh_dir(const std::string& name) {
  // Per process, so that test runs of two build trees do not meet.
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

}  // namespace

TEST_CASE("a run writes its directory, continues with --resume, and loads for translation") {
  const std::string dir = fresh_dir("ember_test_run");
  std::vector<std::string> notes;
  const ProgressCallback progress = [&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kInfo) notes.push_back(e.message);
  };
  const TrainResult first = train_run(tiny_dates_run(), dir, false, progress, nullptr);
  CHECK(first.epochs_done == 1);
  for (const char* file :
       {"config.json", "tokenizer/source/tokenizer.json", "tokenizer/target/vocab.json",
        "checkpoints/last.safetensors", "checkpoints/best.safetensors", "metrics.csv", "curves.svg",
        "samples.txt"}) {
    INFO(file);
    CHECK(fs::exists(dir + "/" + file));
  }
  // The directory, vocabularies, train and valid statistics, the model.
  REQUIRE(notes.size() == 5);
  CHECK(notes[0] == "run directory " + dir);
  CHECK(notes[2].rfind("train: 200 examples", 0) == 0);
  CHECK(notes[4].find("rnn_attention") != std::string::npos);
  const RunConfig saved = load_run_config(run_config_path(dir));
  CHECK(saved.model.tgt_vocab_size == 15);  // 4 specials, 10 digits and '-'

  CHECK_THROWS_WITH_AS(train_run(tiny_dates_run(), dir, false, nullptr, nullptr),
                       doctest::Contains("already holds a run"), ember::Error);
  RunConfig more = saved;
  more.train.epochs = 2;
  const TrainResult second = train_run(more, dir, true, nullptr, nullptr);
  CHECK(second.epochs_done == 2);
  CHECK(second.steps == 2 * first.steps);

  LoadedRun run = load_run(dir);
  CHECK(run.checkpoint == dir + "/checkpoints/best.safetensors");
  CHECK_FALSE(run.model->is_training());
  const auto out = translate(*run.model, *run.source_tokenizer, *run.target_tokenizer,
                             {"3 march 1998", "12/25/99"});
  CHECK(out.size() == 2);
  // The training checkpoint loads too, and gives the last weights.
  const LoadedRun last = load_run(dir, dir + "/checkpoints/last.safetensors");
  CHECK(last.model->named_parameters().size() == run.model->named_parameters().size());
  fs::remove_all(dir);
}

TEST_CASE("runs refuse a missing directory, a missing checkpoint and another model's weights") {
  const std::string dir = fresh_dir("ember_test_run_errors");
  CHECK_THROWS_WITH_AS(load_run(dir), doctest::Contains(("[run] " + dir + " is not a run").c_str()),
                       ember::Error);
  CHECK_THROWS_WITH_AS(train_run(tiny_dates_run(), dir, true, nullptr, nullptr),
                       doctest::Contains("cannot resume"), ember::Error);
  CHECK_THROWS_WITH_AS(train_run(tiny_dates_run(), "", false, nullptr, nullptr),
                       doctest::Contains("[run] no run directory"), ember::Error);

  RunConfig c = tiny_dates_run();
  c.train.max_steps = 1;
  train_run(c, dir, false, nullptr, nullptr);
  CHECK_THROWS_WITH_AS(load_run(dir, dir + "/nothing.safetensors"),
                       doctest::Contains("no checkpoint"), ember::Error);
  // The same run's config with a wider model cannot take these weights.
  RunConfig wider = load_run_config(run_config_path(dir));
  wider.model.hidden_size = 32;
  save_run_config(run_config_path(dir), wider);
  CHECK_THROWS_AS(load_run(dir), ember::Error);
  fs::remove_all(dir);
}

TEST_CASE("a shared vocabulary: one tokenizer for both sides, as a copy model needs") {
  const std::string dir = fresh_dir("ember_test_run_shared");
  RunConfig c = tiny_dates_run();
  c.model = preset(Architecture::kTransformer, "tiny");
  c.model.hidden_size = 16;
  c.model.feedforward_dim = 16;
  c.model.copy = true;
  c.train.max_steps = 2;
  CHECK_THROWS_WITH_AS(train_run(c, dir, false, nullptr, nullptr),
                       doctest::Contains("add --shared-vocab"), ember::Error);
  c.tokenizer.shared = true;
  train_run(c, dir, false, nullptr, nullptr);
  const LoadedRun run = load_run(dir);
  CHECK(run.config.tokenizer.shared);
  CHECK(run.config.model.copy);
  // Both sides' characters (letters of the dates and the ISO digits) in one vocabulary.
  CHECK(run.config.model.src_vocab_size == run.config.model.tgt_vocab_size);
  CHECK(run.source_tokenizer->vocab_size() == run.target_tokenizer->vocab_size());
  CHECK(run.source_tokenizer->encode("1998-03-03") == run.target_tokenizer->encode("1998-03-03"));
  CHECK(translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, {"3 march 1998"})
            .size() == 1);
  fs::remove_all(dir);
}

TEST_CASE("--resume cannot change the model, data or tokenizer, and changes nothing when refused") {
  const std::string dir = fresh_dir("ember_test_run_arch");
  train_run(tiny_transformer_run(), dir, false, nullptr, nullptr);
  const std::string config_before = ember::testing::read_file(run_config_path(dir));
  const std::string metrics_before = ember::testing::read_file(dir + "/metrics.csv");
  const RunConfig saved = load_run_config(run_config_path(dir));
  const auto refused = [&](RunConfig changed, const std::string& text) {
    changed.train.max_steps = 4;
    CHECK_THROWS_WITH_AS(train_run(changed, dir, true, nullptr, nullptr),
                         doctest::Contains(text.c_str()), ember::Error);
    CHECK(ember::testing::read_file(run_config_path(dir)) == config_before);
    CHECK(ember::testing::read_file(dir + "/metrics.csv") == metrics_before);
  };
  RunConfig heads = saved;
  heads.model.num_heads = 8;
  refused(heads, "--resume cannot change the model of the run in " + dir + ": num_heads 4 -> 8");
  RunConfig wider = saved;
  wider.model.hidden_size = 32;
  refused(wider, "hidden_size 16 -> 32");
  RunConfig data = saved;
  data.data.dates_train_size = 300;
  refused(data, "--resume cannot change the data of the run");
  RunConfig tokenizer = saved;
  tokenizer.tokenizer.kind = "word";
  refused(tokenizer, "--resume cannot change the tokenizer of the run");
  // Dropout and the training options may change.
  RunConfig more = saved;
  more.model.dropout = 0.0f;
  more.train.max_steps = 4;
  CHECK(train_run(more, dir, true, nullptr, nullptr).steps == 4);
  fs::remove_all(dir);
}

TEST_CASE("a config.json edited after training is refused against the checkpoint's record") {
  const std::string dir = fresh_dir("ember_test_run_edited");
  train_run(tiny_transformer_run(), dir, false, nullptr, nullptr);
  RunConfig edited = load_run_config(run_config_path(dir));
  edited.model.num_heads = 2;  // the parameters keep their shapes: only the record tells
  save_run_config(run_config_path(dir), edited);
  for (const std::string& file : {std::string("best"), std::string("last")}) {
    const std::string path = dir + "/checkpoints/" + file + ".safetensors";
    CHECK_THROWS_WITH_AS(load_run(dir, path),
                         doctest::Contains((path + " was trained as another model than " + dir +
                                            "/config.json describes: num_heads 4 -> 2")
                                               .c_str()),
                         ember::Error);
  }
  edited.train.max_steps = 4;
  CHECK_THROWS_WITH_AS(train_run(edited, dir, true, nullptr, nullptr),
                       doctest::Contains("num_heads 4 -> 2"), ember::Error);
  fs::remove_all(dir);
}

TEST_CASE("a run killed before its first checkpoint starts again; unfinished writes are removed") {
  const std::string dir = fresh_dir("ember_test_run_restart");
  train_run(tiny_transformer_run(), dir, false, nullptr, nullptr);
  fs::remove(dir + "/checkpoints/last.safetensors");  // as if killed before it was written
  const std::string orphan = dir + "/checkpoints/last.safetensors.tmp.999999";
  ember::testing::write_file(orphan, "half a checkpoint");
  std::vector<std::string> notes;
  const ProgressCallback progress = [&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kInfo) notes.push_back(e.message);
  };
  CHECK(train_run(tiny_transformer_run(), dir, false, progress, nullptr).steps == 2);
  CHECK_FALSE(fs::exists(orphan));
  REQUIRE(notes.size() > 2);
  CHECK(notes[0] == "removed 1 unfinished file(s) a killed process left: " + orphan);
  CHECK(notes[1].find("never saved a checkpoint: it starts again") != std::string::npos);
  // --resume of such a run starts it again too.
  fs::remove(dir + "/checkpoints/last.safetensors");
  CHECK(train_run(load_run_config(run_config_path(dir)), dir, true, nullptr, nullptr).steps == 2);
  CHECK(fs::exists(dir + "/checkpoints/last.safetensors"));
  fs::remove_all(dir);
}

TEST_CASE("validation decodes within the model's positions: a short max_positions trains") {
  const std::string dir = fresh_dir("ember_test_run_positions");
  RunConfig c = tiny_transformer_run();
  c.model.max_positions = 24;  // an untrained model's outputs run past it without a cap
  c.train.eval_every = 1;
  CHECK(train_run(c, dir, false, nullptr, nullptr).steps == 2);
  fs::remove_all(dir);
}

TEST_CASE("a run directory in use by another process is refused, naming its pid") {
  const std::string dir = fresh_dir("ember_test_run_locked");
  const RunLock other(dir);
  CHECK_THROWS_WITH_AS(
      train_run(tiny_transformer_run(), dir, false, nullptr, nullptr),
      doctest::Contains(
          ("is in use by another ember process (pid " + std::to_string(getpid()) + ")").c_str()),
      ember::Error);
  CHECK_FALSE(fs::exists(run_config_path(dir)));
  fs::remove_all(dir);
}

TEST_CASE(
    "--tokenizer-from: a run takes another run's tokenizers and settings, and the two decode "
    "as one ensemble") {
  const ember::testing::TempDir dirs("run_tokenizer_from");
  const std::string first = dirs.file("first"), second = dirs.file("second");
  RunConfig a = tiny_transformer_run();
  a.tokenizer.shared = true;
  train_run(a, first, false, nullptr, nullptr);

  // Other text and other tokenizer settings: the first run's win.
  RunConfig b = tiny_transformer_run();
  b.data.dates_seed = 2;
  b.data.dates_train_size = 120;
  b.tokenizer.kind = "word";
  b.tokenizer.min_count = 3;
  b.tokenizer.from_run = first;
  std::vector<std::string> notes;
  train_run(
      b, second, false,
      [&](const ProgressEvent& e) {
        if (e.kind == ProgressEvent::Kind::kInfo) notes.push_back(e.message);
      },
      nullptr);
  REQUIRE(notes.size() >= 2);
  CHECK(notes[1].find("(char, the tokenizers of " + first + ")") != std::string::npos);
  const RunConfig saved = load_run_config(run_config_path(second));
  CHECK(saved.tokenizer.kind == "char");
  CHECK(saved.tokenizer.min_count == a.tokenizer.min_count);
  CHECK(saved.tokenizer.shared);
  CHECK(saved.tokenizer.from_run == first);
  for (const auto& side : {source_tokenizer_dir(""), target_tokenizer_dir("")}) {
    for (const auto& entry : fs::directory_iterator(first + side)) {
      INFO(entry.path());
      const fs::path copy = second + side + "/" + entry.path().filename().string();
      CHECK(ember::testing::read_file(copy) == ember::testing::read_file(entry.path()));
    }
  }
  const LoadedRun both = load_ensemble({first, second}, "");
  CHECK(translate(*both.model, *both.source_tokenizer, *both.target_tokenizer, {"3 march 1998"})
            .size() == 1);

  // --resume with the same settings: the borrowed ones are what config.json records, and the
  // other run need not exist any more.
  fs::remove_all(first);
  b.train.max_steps = 4;
  CHECK(train_run(b, second, true, nullptr, nullptr).steps == 4);
  b.tokenizer.from_run = dirs.file("another");
  CHECK_THROWS_WITH_AS(train_run(b, second, true, nullptr, nullptr),
                       doctest::Contains("cannot change the tokenizer"), ember::Error);
}

TEST_CASE(
    "--tokenizer-from refuses a directory without a run, the run directory itself, and a "
    "copy model without the other run's shared vocabulary") {
  const ember::testing::TempDir dirs("run_tokenizer_from_bad");
  RunConfig c = tiny_transformer_run();
  c.tokenizer.from_run = dirs.file("nowhere");
  const std::string missing =
      "--tokenizer-from " + dirs.file("nowhere") + ": not a run directory (no config.json)";
  CHECK_THROWS_WITH_AS(train_run(c, dirs.file("run"), false, nullptr, nullptr),
                       doctest::Contains(missing.c_str()), ember::Error);
  const std::string first = dirs.file("first");
  train_run(tiny_transformer_run(), first, false, nullptr, nullptr);  // a vocabulary each side
  c.tokenizer.from_run = first;
  CHECK_THROWS_WITH_AS(train_run(c, first, false, nullptr, nullptr),
                       doctest::Contains("names the run directory itself"), ember::Error);
  c.model.copy = true;
  c.tokenizer.shared = true;  // the other run's settings replace this
  CHECK_THROWS_WITH_AS(train_run(c, dirs.file("copy"), false, nullptr, nullptr),
                       doctest::Contains("add --shared-vocab"), ember::Error);
  CHECK_FALSE(fs::exists(dirs.file("copy")));
}
