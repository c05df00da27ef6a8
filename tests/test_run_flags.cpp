#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/run_flags.h"

using namespace ember;
using namespace ember::seq2seq;
using namespace ember::seq2seq::cli;

namespace {

// Parses `args` as `ember train` would, over the default config.
RunConfig parse(const std::vector<std::string>& args, RunConfig base = {}) {
  ModelFlags model;
  FlagSet flags("ember train", "test");
  add_data_flags(flags, base.data);
  add_tokenizer_flags(flags, base.tokenizer);
  add_model_flags(flags, model);
  add_train_flags(flags, base.train);
  flags.parse(args);
  base.model = model.apply(base.model);
  return base;
}

}  // namespace

TEST_CASE("training flags fill the data, tokenizer and training options") {
  const RunConfig c =
      parse({"--data",         "d",       "--src",        "de",    "--tgt=en",        "--tokenized",
             "--tokenizer",    "unigram", "--vocab-size", "8000",  "--epochs",        "12",
             "--batch-tokens", "6000",    "--lr",         "7e-4",  "--schedule",      "cosine",
             "--warmup",       "400",     "--metric",     "rouge", "--bleu-tokenize", "none",
             "--time-limit",   "90",      "--eval-beam",  "4",     "--seed",          "3",
             "--patience",     "5"});
  CHECK(c.data.dir == "d");
  CHECK(c.data.source_side == "de");
  CHECK(c.data.target_side == "en");
  CHECK(c.data.tokenized);
  CHECK(c.tokenizer.kind == "unigram");
  CHECK(c.tokenizer.vocab_size == 8000);
  CHECK(c.train.epochs == 12);
  CHECK(c.train.max_tokens == 6000);
  CHECK(c.train.lr == 7e-4f);
  CHECK(c.train.schedule == ScheduleKind::kCosine);
  CHECK(c.train.warmup_steps == 400);
  CHECK(c.train.metric == MetricKind::kRouge);
  CHECK(c.train.bleu_tokenize == "none");
  CHECK(c.train.max_seconds == 90.0);
  CHECK(c.train.decode.beam_size == 4);
  CHECK(c.train.seed == 3);
  CHECK(c.train.patience == 5);
  // Every sacreBLEU tokenizer `ember score` has.
  for (const char* tokenizer : {"13a", "none", "intl", "char", "zh"}) {
    CHECK(parse({"--bleu-tokenize", tokenizer}).train.bleu_tokenize == tokenizer);
  }
}

TEST_CASE("model flags: the preset first whatever the order; --arch implies the small preset") {
  const RunConfig a = parse({"--hidden-size", "96", "--arch", "rnn_attention", "--preset", "tiny",
                             "--cell", "lstm", "--attention", "general", "--dropout", "0.25"});
  CHECK(a.model.architecture == Architecture::kRnnAttention);
  CHECK(a.model.hidden_size == 96);
  CHECK(a.model.embedding_dim == preset(Architecture::kRnnAttention, "tiny").embedding_dim);
  CHECK(a.model.cell == CellType::kLstm);
  CHECK(a.model.attention == AttentionScore::kGeneral);
  CHECK(a.model.dropout == 0.25f);

  const RunConfig b = parse({"--arch", "convs2s"});
  const ModelConfig small = preset(Architecture::kConvS2S, "small");
  CHECK(b.model.architecture == Architecture::kConvS2S);
  CHECK(b.model.encoder_layers == small.encoder_layers);

  const RunConfig t = parse({"--post-norm", "--untied", "--heads", "2", "--ff-dim", "64",
                             "--encoder-layers", "1", "--decoder-layers", "2"});
  CHECK_FALSE(t.model.norm_first);
  CHECK_FALSE(t.model.tie_embeddings);
  CHECK(t.model.num_heads == 2);
  CHECK(t.model.feedforward_dim == 64);
  CHECK(t.model.encoder_layers == 1);
  CHECK(t.model.decoder_layers == 2);
  CHECK(parse({}).model.hidden_size == RunConfig{}.model.hidden_size);  // no flags, no change

  const RunConfig copy = parse({"--copy", "--shared-vocab"});
  CHECK(copy.model.copy);
  CHECK(copy.tokenizer.shared);
  CHECK_FALSE(parse({}).model.copy);
  CHECK_FALSE(parse({}).tokenizer.shared);
}

TEST_CASE("bad training flag values are refused, naming the flag") {
  CHECK_THROWS_WITH_AS(parse({"--arch", "lstm"}),
                       doctest::Contains("[model_config] unknown architecture 'lstm'"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--preset", "huge"}), doctest::Contains("unknown preset 'huge'"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--hidden-size", "wide"}),
                       doctest::Contains("--hidden-size expects an integer"), ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--dropout", "x"}), doctest::Contains("--dropout expects a number"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--tokenizer", "spaces"}),
                       doctest::Contains("--tokenizer expects one of word|char|bpe|unigram"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--optimizer", "sgd"}),
                       doctest::Contains("--optimizer expects one of adam|adamw"), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse({"--schedule", "linear"}),
      doctest::Contains("--schedule expects one of constant|inverse_sqrt|cosine|plateau"),
      ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--metric", "wer"}),
                       doctest::Contains("--metric expects one of exact|bleu|rouge, got 'wer'"),
                       ember::Error);
  CHECK(parse({"--optimizer", "adam"}).train.optimizer == OptimizerKind::kAdam);
  // A value the config refuses as a whole (heads must divide the width) is named too.
  CHECK_THROWS_WITH_AS(parse({"--hidden-size", "100", "--heads", "3"}),
                       doctest::Contains("[model_config]"), ember::Error);
}

TEST_CASE("float flags refuse nan and inf, naming the flag; model sizes are bounded") {
  // "nan" went into the model's JSON and came back as "not a JSON object".
  CHECK_THROWS_WITH_AS(parse({"--dropout", "nan"}),
                       doctest::Contains("[flags] --dropout expects a finite number, got 'nan'"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--dropout", "inf"}),
                       doctest::Contains("--dropout expects a finite number, got 'inf'"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--dropout", "1"}),
                       doctest::Contains("[flags] --dropout: must be a number in [0, 1), got 1"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--dropout", "-0.5"}),
                       doctest::Contains("--dropout: must be a number in [0, 1), got -0.5"),
                       ember::Error);
  CHECK(parse({"--dropout", "0.25"}).model.dropout == 0.25f);
  for (const char* flag : {"--lr", "--min-lr", "--beta2", "--weight-decay", "--clip-norm",
                           "--label-smoothing", "--character-coverage"}) {
    INFO(flag);
    const std::string expected = std::string(flag) + " expects a finite number";
    CHECK_THROWS_WITH_AS(parse({flag, "nan"}), doctest::Contains(expected.c_str()), ember::Error);
    CHECK_THROWS_WITH_AS(parse({flag, "-inf"}), doctest::Contains(flag), ember::Error);
  }
  CHECK_THROWS_WITH_AS(parse({"--lr", "1e300"}),
                       doctest::Contains("--lr expects a number within float's range"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse({"--time-limit", "inf"}),
                       doctest::Contains("--time-limit expects a finite number"), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse({"--arch", "transformer", "--preset", "tiny", "--ff-dim", "4611686018427387904"}),
      doctest::Contains("feedforward_dim = 4611686018427387904 is larger than the limit"),
      ember::Error);
}
