// ember train --init-from (train.init_from): a run that starts from another run's weights.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/train/run.h"
#include "support/check.h"
#include "support/files.h"
#include "support/tiny_runs.h"

using namespace ember;
using namespace ember::seq2seq;
namespace fs = std::filesystem;

using ember::testing::tiny_transformer_run;

namespace {

// The largest difference between two runs' weights, parameter by parameter.
float weight_distance(const std::string& run_a, const std::string& name_a, const std::string& run_b,
                      const std::string& name_b) {
  const LoadedRun a = load_run(run_a, name_a), b = load_run(run_b, name_b);
  const auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
  REQUIRE(pa.size() == pb.size());
  float distance = 0.0f;
  for (size_t i = 0; i < pa.size(); ++i) {
    REQUIRE(pa[i].first == pb[i].first);
    distance =
        std::max(distance, ember::testing::max_abs_diff(pa[i].second.data(), pb[i].second.data()));
  }
  return distance;
}

std::vector<std::string> notes_of(const RunConfig& config, const std::string& dir, bool resume) {
  std::vector<std::string> notes;
  train_run(
      config, dir, resume,
      [&](const ProgressEvent& e) {
        if (e.kind == ProgressEvent::Kind::kInfo) notes.push_back(e.message);
      },
      nullptr);
  return notes;
}

bool has_note(const std::vector<std::string>& notes, const std::string& text) {
  return std::any_of(notes.begin(), notes.end(),
                     [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("--init-from: a run starts from another run's weights and vocabularies, on other data") {
  const ember::testing::TempDir dirs("run_init_from");
  const std::string first = dirs.file("first"), tuned = dirs.file("tuned");
  const std::string fresh = dirs.file("fresh");
  train_run(tiny_transformer_run(), first, false, nullptr, nullptr);

  // Other text and another seed; a learning rate so small that one update moves no weight by
  // more than about 1e-6 (Adam's step is about lr): the run's weights after it are those it
  // started from.
  RunConfig c = tiny_transformer_run();
  c.data.dates_seed = 2;
  c.train.seed = 7;
  c.train.lr = 1e-7f;
  c.train.max_steps = 1;
  c.train.init_from = first;
  const auto notes = notes_of(c, tuned, false);
  CHECK(has_note(notes, "weights: those of " + first + "/checkpoints/"));
  CHECK(has_note(notes, "the tokenizers of " + first));
  CHECK(weight_distance(first, "", tuned, "last") < 1e-5f);
  // Without --init-from the same run starts from its own random weights.
  RunConfig random = c;
  random.train.init_from = "";
  train_run(random, fresh, false, nullptr, nullptr);
  CHECK(weight_distance(first, "", fresh, "last") > 1e-2f);

  const RunConfig saved = load_run_config(run_config_path(tuned));
  CHECK(saved.train.init_from == first);
  CHECK(saved.tokenizer.from_run == first);  // implied: the weights mean that run's words
  for (const auto& side : {source_tokenizer_dir(""), target_tokenizer_dir("")})
    for (const auto& entry : fs::directory_iterator(first + side))
      CHECK(ember::testing::read_file(tuned + side + "/" + entry.path().filename().string()) ==
            ember::testing::read_file(entry.path()));

  // A checkpoint file names the weights exactly; its run's tokenizers come with them.
  RunConfig from_file = c;
  from_file.train.init_from = first + "/checkpoints/last.safetensors";
  const auto file_notes = notes_of(from_file, dirs.file("from_file"), false);
  CHECK(has_note(file_notes, "weights: those of " + first + "/checkpoints/last.safetensors"));
  CHECK(weight_distance(first, "last", dirs.file("from_file"), "last") < 1e-5f);
  // ... also given from inside the checkpoints directory.
  const fs::path here = fs::current_path();
  fs::current_path(first + "/checkpoints");
  from_file.train.init_from = "best.safetensors";
  const auto relative_notes = notes_of(from_file, dirs.file("relative"), false);
  fs::current_path(here);
  // recorded by its absolute path, which names the file from anywhere
  const std::string best = first + "/checkpoints/best.safetensors";
  CHECK(has_note(relative_notes, "weights: those of " + best));
  const RunConfig relative = load_run_config(run_config_path(dirs.file("relative")));
  CHECK(relative.train.init_from == best);
  CHECK(relative.tokenizer.from_run == first);

  // Another run with the same vocabularies may lend its tokenizers.
  RunConfig lender = tiny_transformer_run();
  lender.tokenizer.from_run = first;
  train_run(lender, dirs.file("lender"), false, nullptr, nullptr);
  RunConfig borrowing = c;
  borrowing.tokenizer.from_run = dirs.file("lender");
  const auto borrowed = notes_of(borrowing, dirs.file("borrowing"), false);
  CHECK(has_note(borrowed, "the tokenizers of " + dirs.file("lender")));
  CHECK(weight_distance(first, "", dirs.file("borrowing"), "last") < 1e-5f);

  // A run that stopped before its first checkpoint starts again from the other run's weights.
  const std::string unstarted = dirs.file("unstarted");
  fs::create_directories(unstarted);
  RunConfig recorded = c;
  recorded.tokenizer.from_run = first;
  save_run_config(run_config_path(unstarted), recorded);
  const auto restarted = notes_of(c, unstarted, true);
  CHECK(has_note(restarted, "weights: those of " + first + "/checkpoints/"));
  CHECK(weight_distance(first, "", unstarted, "last") < 1e-5f);

  // --resume goes on as the run began: another --init-from is refused, none keeps the record.
  RunConfig changed = c;
  changed.train.init_from = dirs.file("fresh");
  CHECK_THROWS_WITH_AS(train_run(changed, tuned, true, nullptr, nullptr),
                       doctest::Contains(("cannot change that to '" + dirs.file("fresh")).c_str()),
                       ember::Error);
  RunConfig left_out = c;
  left_out.train.init_from = "";
  left_out.train.max_steps = 2;
  train_run(left_out, tuned, true, nullptr, nullptr);
  CHECK(load_run_config(run_config_path(tuned)).train.init_from == first);

  // --resume continues from the run's own checkpoint: the other run need not exist any more.
  fs::remove_all(first);
  c.train.max_steps = 3;
  const auto resumed = notes_of(c, tuned, true);
  CHECK_FALSE(has_note(resumed, "weights: those of"));
  CHECK(load_run(tuned, "last").config.train.init_from == first);
}

TEST_CASE(
    "--init-from refuses a missing run, the run itself, a run without a checkpoint, another "
    "model and other vocabularies, writing nothing") {
  const ember::testing::TempDir dirs("run_init_from_bad");
  const std::string first = dirs.file("first"), run = dirs.file("run");
  train_run(tiny_transformer_run(), first, false, nullptr, nullptr);
  const auto refused = [&](const RunConfig& c, const std::string& dir, const std::string& text) {
    CHECK_THROWS_WITH_AS(train_run(c, dir, false, nullptr, nullptr),
                         doctest::Contains(text.c_str()), ember::Error);
  };
  RunConfig c = tiny_transformer_run();
  c.train.init_from = dirs.file("nowhere");
  refused(c, run,
          "--init-from " + dirs.file("nowhere") + ": not a run directory nor a checkpoint file");
  c.train.init_from = dirs.file("nowhere/checkpoints/best.safetensors");
  refused(c, run, "(no " + dirs.file("nowhere") + "/config.json)");
  c.train.init_from = first + "/checkpoints/step-9.safetensors";
  refused(c, run, "no checkpoint " + first + "/checkpoints/step-9.safetensors");
  c.train.init_from = first;
  refused(c, first, "--init-from " + first + " is this run's own");

  RunConfig wider = tiny_transformer_run();
  wider.model.hidden_size = 32;
  wider.train.init_from = first;
  refused(wider, run,
          "this run's model is not the one trained in " + first + ": hidden_size 16 -> 32");

  const std::string words = dirs.file("words");
  RunConfig other_vocabulary = tiny_transformer_run();
  other_vocabulary.tokenizer.kind = "word";
  train_run(other_vocabulary, words, false, nullptr, nullptr);
  RunConfig mixed = tiny_transformer_run();
  mixed.train.init_from = first;
  mixed.tokenizer.from_run = words;
  refused(mixed, run, "--tokenizer-from " + words + " holds other vocabularies than " + first);
  mixed.tokenizer.from_run = dirs.file("typo");
  refused(mixed, run, "--tokenizer-from " + dirs.file("typo") + ": not a run directory");
  CHECK_FALSE(fs::exists(run));

  // A run whose config.json was edited after training: its checkpoint is another model.
  const std::string edited = dirs.file("edited");
  fs::copy(first, edited, fs::copy_options::recursive);
  RunConfig edited_config = load_run_config(run_config_path(edited));
  edited_config.model.hidden_size = 32;
  save_run_config(run_config_path(edited), edited_config);
  wider.train.init_from = edited;
  refused(wider, run, "refused, nothing loaded: 'src_embed.weight' has shape (51, 16)");
  refused(wider, run, edited + "/checkpoints/best.safetensors");
  CHECK_FALSE(fs::exists(run));

  // A damaged checkpoint file, and a run without its tokenizers.
  const std::string damaged = dirs.file("damaged");
  fs::create_directories(damaged + "/checkpoints");
  fs::copy(run_config_path(first), run_config_path(damaged));
  ember::testing::write_file(damaged + "/checkpoints/best.safetensors", "not a checkpoint");
  fs::copy(first + "/tokenizer", damaged + "/tokenizer", fs::copy_options::recursive);
  c.train.init_from = damaged;
  refused(c, run, damaged + "/checkpoints/best.safetensors");
  fs::remove_all(damaged + "/tokenizer");
  ember::testing::write_file(damaged + "/checkpoints/best.safetensors",
                             ember::testing::read_file(first + "/checkpoints/best.safetensors"));
  refused(c, run, "no tokenizer in '" + damaged + "/tokenizer/source'");
  CHECK_FALSE(fs::exists(run));

  // A run directory whose training never saved a checkpoint.
  const std::string unsaved = dirs.file("unsaved");
  fs::create_directories(unsaved);
  save_run_config(run_config_path(unsaved), tiny_transformer_run());
  c.train.init_from = unsaved;
  refused(c, run, "--init-from " + unsaved + ": no checkpoint");
  CHECK_FALSE(fs::exists(run));
}
