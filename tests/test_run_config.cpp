#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/train/run_config.h"
#include "support/files.h"
#include "support/test_data.h"

using namespace ember;
using namespace ember::seq2seq;
namespace fs = std::filesystem;

TEST_CASE("a run config survives its JSON form, every field") {
  RunConfig c;
  c.data.dir = "data/m30k";
  c.data.source_side = "de";
  c.data.tokenized = true;
  c.data.max_source_tokens = 77;
  c.tokenizer.kind = "bpe";
  c.tokenizer.character_coverage = 0.9995;
  c.tokenizer.from_run = "runs/other";
  c.model = preset(Architecture::kRnnAttention, "tiny");
  c.model.cell = CellType::kLstm;
  c.train.lr = 3e-4f;
  c.train.schedule = ScheduleKind::kCosine;
  c.train.max_seconds = 12.5;
  c.train.patience = 4;
  c.train.keep_checkpoints = 7;
  c.train.decode.beam_size = 4;
  c.train.decode.max_len = {1.25, 7};
  c.train.decode.min_len = 3;
  c.train.decode.no_repeat_ngram = 2;
  c.train.decode.disable_unk = true;
  c.train.decode.patience = 2.5f;
  c.train.rouge_stem = true;
  c.train.init_from = "runs/pretrained";
  const std::string text = to_json_string(c);
  const RunConfig back = run_config_from_json(text);
  CHECK(to_json_string(back) == text);
  CHECK(back.data.dir == "data/m30k");
  CHECK(back.data.tokenized);
  CHECK(back.tokenizer.character_coverage == 0.9995);
  CHECK(back.model.architecture == Architecture::kRnnAttention);
  CHECK(back.model.cell == CellType::kLstm);
  CHECK(back.train.lr == 3e-4f);
  CHECK(back.train.decode.max_len.a == 1.25);
  CHECK(back.train.decode.max_len.b == 7);
  CHECK(back.train.decode.min_len == 3);
  CHECK(back.train.decode.no_repeat_ngram == 2);
  CHECK(back.train.decode.disable_unk);
  CHECK(back.train.decode.patience == 2.5f);
  CHECK(back.train.rouge_stem);
  CHECK(back.train.schedule == ScheduleKind::kCosine);
  CHECK(back.train.patience == 4);
  CHECK(back.train.keep_checkpoints == 7);
  CHECK(back.tokenizer.from_run == "runs/other");
  CHECK(back.train.init_from == "runs/pretrained");
}

TEST_CASE(
    "a config.json written before the closed sets were enums loads and is written back alike") {
  // tests/data/old_run_config.json: the config.json of `ember train ... --optimizer adam
  // --schedule plateau --metric rouge --bleu-tokenize none`, written by ember 0.1.0 when these
  // options were strings.
  const fs::path file = ember::testing::test_data_dir() / "old_run_config.json";
  const RunConfig c = load_run_config(file.string());
  CHECK(c.train.optimizer == OptimizerKind::kAdam);
  CHECK(c.train.schedule == ScheduleKind::kPlateau);
  CHECK(c.train.metric == MetricKind::kRouge);
  CHECK(c.train.bleu_tokenize == "none");
  // Written back alike, with the options added since at their defaults (patience 0: off;
  // keep_checkpoints 0: none; precision fp32; probing_test_max_length 0: no extrapolation;
  // min_len 0: </s> anywhere; no_repeat_ngram 0: off; disable_unk false: <unk> allowed;
  // beam_patience 1: a sentence ends at K finished hypotheses;
  // rouge_stem false: rouge-score's default; from_run "": tokenizers trained by the run;
  // init_from "": random initial weights).
  nlohmann::json written = nlohmann::json::parse(to_json_string(c));
  CHECK(written["data"]["probing_test_max_length"] == 0);
  written["data"].erase("probing_test_max_length");
  CHECK(written["train"]["patience"] == 0);
  written["train"].erase("patience");
  CHECK(written["train"]["keep_checkpoints"] == 0);
  written["train"].erase("keep_checkpoints");
  CHECK(written["train"]["precision"] == "fp32");
  written["train"].erase("precision");
  CHECK(written["train"]["min_len"] == 0);
  written["train"].erase("min_len");
  CHECK(written["train"]["no_repeat_ngram"] == 0);
  written["train"].erase("no_repeat_ngram");
  CHECK(written["train"]["disable_unk"] == false);
  written["train"].erase("disable_unk");
  CHECK(written["train"]["beam_patience"] == 1.0);
  written["train"].erase("beam_patience");
  CHECK(written["train"]["rouge_stem"] == false);
  written["train"].erase("rouge_stem");
  CHECK(written["tokenizer"]["from_run"] == "");
  written["tokenizer"].erase("from_run");
  CHECK(written["train"]["init_from"] == "");
  written["train"].erase("init_from");
  CHECK(written == nlohmann::json::parse(ember::testing::read_file(file)));
}

TEST_CASE(
    "every name of the closed sets round-trips; an unknown one is refused with the valid ones") {
  const auto round_trip = [](const std::string& key, const std::string& name) {
    const std::string text = fmt::format(R"({{"train": {{"{}": "{}"}}}})", key, name);
    const std::string written = to_json_string(run_config_from_json(text));
    CHECK(written.find(fmt::format("\"{}\": \"{}\"", key, name)) != std::string::npos);
  };
  for (const std::string& name : optimizer_names().names()) round_trip("optimizer", name);
  for (const std::string& name : schedule_names().names()) round_trip("schedule", name);
  for (const std::string& name : metric_names().names()) round_trip("metric", name);
  CHECK(optimizer_names().names() == std::vector<std::string>{"adam", "adamw"});
  CHECK(schedule_names().names() ==
        std::vector<std::string>{"constant", "inverse_sqrt", "cosine", "plateau"});
  CHECK(metric_names().names() == std::vector<std::string>{"exact", "bleu", "rouge"});

  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"train": {"optimizer": "sgd"}})"),
                       "[trainer] unknown optimizer 'sgd' (expected one of: adam, adamw)", Error);
  CHECK_THROWS_WITH_AS(
      run_config_from_json(R"({"train": {"schedule": "linear"}})"),
      "[trainer] unknown schedule 'linear' (expected one of: constant, inverse_sqrt, cosine, "
      "plateau)",
      Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"train": {"metric": "wer"}})"),
                       "[evaluation] unknown metric 'wer' (expected one of: exact, bleu, rouge)",
                       Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"train": {"metric": 2}})"),
                       "[run_config] train.metric must be a string, got 2", Error);
}

TEST_CASE("a partial JSON document changes only its keys; the model reads its preset first") {
  RunConfig base;
  base.train.epochs = 3;
  const RunConfig c = run_config_from_json(
      R"({"train": {"lr": 0.01}, "model": {"hidden_size": 96, "architecture": "rnn_attention",
          "preset": "tiny"}, "data": {"builtin": "dates"}})",
      base);
  CHECK(c.train.epochs == 3);
  CHECK(c.train.lr == 0.01f);
  CHECK(c.data.builtin == "dates");
  CHECK(c.model.architecture == Architecture::kRnnAttention);
  CHECK(c.model.hidden_size == 96);
  CHECK(c.model.embedding_dim == preset(Architecture::kRnnAttention, "tiny").embedding_dim);
}

TEST_CASE("bad JSON, sections, keys and types are refused by name") {
  CHECK_THROWS_WITH_AS(run_config_from_json("{oops"),
                       doctest::Contains("[run_config]: not valid JSON: parse error at line 1"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json("[1]"), doctest::Contains("[run_config] not a JSON object"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      run_config_from_json(R"({"model": {"num_heads": 4}, "model": {"num_heads": 8}})"),
      doctest::Contains("JSON key \"model\" appears twice"), ember::Error);
  const std::string deep = R"({"train": )" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK_THROWS_WITH_AS(run_config_from_json(deep),
                       doctest::Contains("[run_config]: JSON nested deeper than 64 levels"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"optim": {}})"),
                       doctest::Contains("[run_config] unknown section 'optim'"), ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"train": {"epoch": 3}})"),
                       doctest::Contains("[run_config] unknown key 'train.epoch'"), ember::Error);
  // Numbers the fields cannot hold: a config.json written from them could not be read back.
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"train": {"min_lr": 1e300}})"),
                       doctest::Contains("train.min_lr must be a finite number, got 1e+300"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"train": {"max_seconds": 1e999}})"),
                       doctest::Contains("[run_config]"), ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"data": {"dates_seed": 18446744073709551615}})"),
                       doctest::Contains("data.dates_seed must be an integer below 2^63"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"train": {"epochs": 2.5}})"),
                       doctest::Contains("train.epochs must be an integer"), ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"data": {"tokenized": 1}})"),
                       doctest::Contains("data.tokenized must be true or false"), ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"tokenizer": []})"),
                       doctest::Contains("'tokenizer' must be an object"), ember::Error);
  CHECK_THROWS_WITH_AS(run_config_from_json(R"({"model": {"hidden": 3}})"),
                       doctest::Contains("[model_config] unknown key 'hidden'"), ember::Error);
}

TEST_CASE("config files: save, load, and a missing or bad file named") {
  const std::string path =
      (fs::temp_directory_path() / ("ember_test_run_config_" + std::to_string(getpid()) + ".json"))
          .string();
  RunConfig c;
  c.train.epochs = 42;
  save_run_config(path, c);
  CHECK(load_run_config(path).train.epochs == 42);
  write_lines(path, {R"({"train": {"epochs": "many"}})"});
  CHECK_THROWS_WITH_AS(load_run_config(path), doctest::Contains(("(in " + path + ")").c_str()),
                       ember::Error);
  fs::remove(path);
  CHECK_THROWS_WITH_AS(
      load_run_config(path),
      doctest::Contains(("[run_config] cannot read '" + path + "': it does not exist").c_str()),
      ember::Error);
}

TEST_CASE("load_split: the built-in dates corpus and the files of a data directory") {
  DataConfig dates;
  dates.builtin = "dates";
  dates.dates_train_size = 50;
  dates.dates_valid_size = 20;
  dates.dates_test_size = 10;
  CHECK(load_split(dates, "train").size() == 50);
  CHECK(load_split(dates, "valid").size() == 20);
  CHECK(load_split(dates, "test").size() == 10);
  CHECK(load_split(dates, "test").target == load_split(dates, "test").target);
  CHECK_THROWS_WITH_AS(load_split(dates, "dev"), doctest::Contains("not 'dev'"), ember::Error);
  dates.builtin = "news";
  CHECK_THROWS_WITH_AS(load_split(dates, "train"),
                       doctest::Contains("unknown built-in corpus 'news'"), ember::Error);

  const fs::path dir =
      fs::temp_directory_path() / ("ember_test_run_config_data_" + std::to_string(getpid()));
  fs::create_directories(dir);
  write_lines((dir / "train.de").string(), {"hallo welt", "guten tag"});
  write_lines((dir / "train.en.gz").string(), {"hello world", "good day"});
  DataConfig files{.dir = dir.string(), .source_side = "de", .target_side = "en"};
  const ParallelText text = load_split(files, "train");
  CHECK(text.source == std::vector<std::string>{"hallo welt", "guten tag"});
  CHECK(text.target == std::vector<std::string>{"hello world", "good day"});
  CHECK_THROWS_WITH_AS(load_split(files, "test"), doctest::Contains("test.de.gz"), ember::Error);
  CHECK_THROWS_WITH_AS(load_split(DataConfig{}, "train"), doctest::Contains("[run_config] no data"),
                       ember::Error);
  fs::remove_all(dir);
}

TEST_CASE("the length filter keeps what fits a batch and the model's positions") {
  RunConfig c;
  c.train.max_tokens = 100;
  c.model.max_positions = 1024;
  LengthFilter f = length_filter(c);
  CHECK(f.max_source_tokens == 99);
  CHECK(f.max_target_tokens == 99);
  c.data.max_source_tokens = 40;
  c.data.max_target_tokens = 500;
  c.data.truncate_source = true;
  c.model.max_positions = 64;
  f = length_filter(c);
  CHECK(f.max_source_tokens == 40);
  CHECK(f.max_target_tokens == 63);
  CHECK(f.truncate_source);
}
