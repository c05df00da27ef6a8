// The flags of `ember train` and `ember demo`, each bound to a RunConfig field.
#include "ember/seq2seq/cli/run_flags.h"

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/train/evaluation.h"

namespace ember::seq2seq::cli {
namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// A model flag holding an integer, stored as its JSON literal under `key`.
void add_model_int(FlagSet& flags, ModelFlags& m, const std::string& name, const std::string& key,
                   const std::string& help) {
  flags.add_custom(name, "N", help, [&m, name, key](const std::string& v) {
    m.json_values[key] = std::to_string(parse_int(v, name));
  });
}

// A model flag naming an enum value; `check` throws for an unknown name.
void add_model_name(FlagSet& flags, ModelFlags& m, const std::string& name, const std::string& key,
                    const std::string& value_name, const std::string& help,
                    std::function<void(const std::string&)> check) {
  flags.add_custom(name, value_name, help, [&m, key, check](const std::string& v) {
    check(v);
    m.json_values[key] = quoted(v);
  });
}

}  // namespace

ModelConfig ModelFlags::apply(const ModelConfig& base) const {
  std::map<std::string, std::string> values = json_values;
  if (values.count("architecture") && !values.count("preset")) values["preset"] = quoted("small");
  std::string text = "{";
  for (const auto& [key, literal] : values) {
    text += fmt::format("{}\"{}\": {}", text.size() > 1 ? ", " : "", key, literal);
  }
  return from_json_string(text + "}", base);
}

void add_data_flags(FlagSet& flags, DataConfig& d) {
  flags.add("--data", "DIR", "corpus directory: <DIR>/<split>[.tok].<side>[.gz]", &d.dir);
  flags.add_choice("--builtin",
                   "a built-in corpus instead of --data (dates: date normalisation; copy, "
                   "reverse, sort: probing tasks)",
                   &d.builtin, {"dates", "copy", "reverse", "sort"});
  flags.add("--src", "SIDE", "source side (file suffix, e.g. de)", &d.source_side);
  flags.add("--tgt", "SIDE", "target side (e.g. en)", &d.target_side);
  flags.add("--train-split", "NAME", "training split", &d.train_split);
  flags.add("--valid-split", "NAME", "validation split", &d.valid_split);
  flags.add("--test-split", "NAME", "test split (ember eval's default)", &d.test_split);
  flags.add_switch("--tokenized", "read the pre-tokenized <split>.tok.<side> files", &d.tokenized);
  flags.add("--max-source-tokens", "N", "skip longer sources (0: what fits the batch)",
            &d.max_source_tokens);
  flags.add("--max-target-tokens", "N", "skip longer targets (0: what fits the batch)",
            &d.max_target_tokens);
  flags.add_switch("--truncate-source", "cut long sources instead of skipping them",
                   &d.truncate_source);
  flags.add("--dates-train-size", "N", "sentences in the dates corpus's train split",
            &d.dates_train_size);
  flags.add("--probing-train-size", "N", "sequences in a probing corpus's train split",
            &d.probing_train_size);
  flags.add("--probing-min-length", "N", "a probing corpus's shortest sequence (tokens)",
            &d.probing_min_length);
  flags.add("--probing-max-length", "N", "a probing corpus's longest sequence (tokens)",
            &d.probing_max_length);
  flags.add("--probing-test-max-length", "N",
            "a probing corpus's longest test sequence (above the max: length extrapolation)",
            &d.probing_test_max_length);
}

void add_tokenizer_flags(FlagSet& flags, TokenizerOptions& t) {
  flags.add_choice("--tokenizer", "tokenizer of both sides", &t.kind, tokenizer_kinds());
  flags.add("--vocab-size", "N", "vocabulary size per side (word/char: 0 = all pieces)",
            &t.vocab_size);
  flags.add("--min-count", "N", "word/char: rarer pieces become <unk>", &t.min_count);
  flags.add("--character-coverage", "X", "bpe/unigram: share of characters kept",
            &t.character_coverage);
  flags.add_switch("--shared-vocab",
                   "one tokenizer for both sides, trained on both (needed by --copy)", &t.shared);
  flags.add("--tokenizer-from", "RUN",
            "take the tokenizers of the run in RUN (its vocabularies and tokenizer settings) "
            "instead of training new ones: to ensemble with it or distil into it",
            &t.from_run);
}

void add_model_flags(FlagSet& flags, ModelFlags& m) {
  add_model_name(flags, m, "--arch", "architecture", "rnn|rnn_attention|transformer|convs2s",
                 "model architecture (implies --preset small)",
                 [](const std::string& v) { parse_architecture(v); });
  add_model_name(flags, m, "--preset", "preset", "tiny|small|base", "size preset",
                 [](const std::string& v) { preset(Architecture::kTransformer, v); });
  add_model_name(flags, m, "--cell", "cell", "rnn|gru|lstm", "recurrent cell",
                 [](const std::string& v) { parse_cell_type(v); });
  add_model_name(flags, m, "--attention", "attention", "dot|scaled_dot|general|additive",
                 "rnn_attention's score function",
                 [](const std::string& v) { parse_attention_score(v); });
  add_model_int(flags, m, "--embedding-dim", "embedding_dim", "token embedding width (E)");
  add_model_int(flags, m, "--hidden-size", "hidden_size", "model width (RNN state, d_model)");
  add_model_int(flags, m, "--encoder-layers", "encoder_layers", "encoder layers");
  add_model_int(flags, m, "--decoder-layers", "decoder_layers", "decoder layers");
  add_model_int(flags, m, "--heads", "num_heads", "transformer attention heads");
  add_model_int(flags, m, "--ff-dim", "feedforward_dim", "transformer feed-forward width");
  add_model_int(flags, m, "--kernel-size", "kernel_size", "convs2s kernel width");
  add_model_int(flags, m, "--max-positions", "max_positions", "longest sequence");
  flags.add_custom("--dropout", "P", "dropout probability", [&m](const std::string& v) {
    const double p = parse_number(v, "--dropout");  // finite
    EMBER_CHECK(p >= 0.0 && p < 1.0, "[flags] --dropout: must be a number in [0, 1), got {}", v);
    m.json_values["dropout"] = fmt::format("{}", p);
  });
  flags.add_custom("--post-norm", "", "transformer: post-norm layers (Vaswani) instead of pre-norm",
                   [&m](const std::string&) { m.json_values["norm_first"] = "false"; });
  flags.add_custom("--untied", "", "separate output projection (transformer, convs2s)",
                   [&m](const std::string&) { m.json_values["tie_embeddings"] = "false"; });
  flags.add_custom("--copy", "",
                   "transformer: copy source tokens (pointer-generator; needs --shared-vocab)",
                   [&m](const std::string&) { m.json_values["copy"] = "true"; });
}

void add_train_flags(FlagSet& flags, TrainOptions& o) {
  flags.add("--epochs", "N", "passes over the training data", &o.epochs);
  flags.add("--max-steps", "N", "stop after N updates (0: the epochs decide)", &o.max_steps);
  flags.add("--time-limit", "SECONDS", "stop after this much training time (0: none)",
            &o.max_seconds);
  flags.add("--batch-tokens", "N", "tokens a batch (padding included)", &o.max_tokens);
  flags.add("--max-batch-size", "N", "sentences a batch at most (0: no bound)", &o.max_batch_size);
  flags.add_enum("--optimizer", "optimizer", &o.optimizer, optimizer_names());
  flags.add("--lr", "X", "peak learning rate", &o.lr);
  flags.add("--min-lr", "X", "cosine/plateau: the lowest learning rate", &o.min_lr);
  flags.add("--beta2", "X", "Adam's beta2", &o.beta2);
  flags.add("--weight-decay", "X", "weight decay (AdamW: decoupled)", &o.weight_decay);
  flags.add_enum("--schedule", "learning-rate schedule", &o.schedule, schedule_names());
  flags.add("--warmup", "N", "warmup updates", &o.warmup_steps);
  flags.add("--clip-norm", "X", "max gradient norm (0: off)", &o.clip_norm);
  flags.add("--label-smoothing", "X", "label smoothing", &o.label_smoothing);
  flags.add("--log-every", "N", "updates between metrics.csv rows", &o.log_every);
  flags.add("--eval-every", "N", "updates between evaluations (0: each epoch)", &o.eval_every);
  flags.add("--eval-sentences", "N", "validation sentences decoded (0: all)", &o.eval_sentences);
  flags.add_enum("--metric", "validation score", &o.metric, metric_names());
  flags.add("--patience", "N",
            "stop after N validations in a row without a better score (0: never)", &o.patience);
  flags.add_choice("--bleu-tokenize", "BLEU tokenization (none: pre-tokenized text)",
                   &o.bleu_tokenize, bleu_tokenizer_names());
  flags.add_switch("--rouge-stem", "ROUGE on Porter stems (rouge-score's use_stemmer)",
                   &o.rouge_stem);
  flags.add("--samples", "N", "validation outputs written to samples.txt", &o.samples);
  flags.add("--save-every", "N", "updates between checkpoints (0: epoch ends only)", &o.save_every);
  flags.add("--save-minutes", "M", "minutes between checkpoints (0: epoch ends only)",
            &o.save_minutes);
  flags.add("--keep-checkpoints", "K",
            "also keep the weights of the last K checkpoints, for ember average (0: none)",
            &o.keep_checkpoints);
  flags.add("--seed", "N", "random seed (initialisation, dropout, batch order)", &o.seed);
  flags.add("--init-from", "RUN|FILE",
            "start from the weights of another run (its best checkpoint, else its last) or of "
            "one of its checkpoint files, with a new optimizer: fine-tuning (implies "
            "--tokenizer-from RUN)",
            &o.init_from);
  flags.add("--eval-beam", "K", "beam size of the validation decoding (1: greedy)",
            &o.decode.beam_size);
  flags.add("--eval-beam-patience", "P",
            "the validation beam ends a sentence at P * K finished outputs", &o.decode.patience);
  flags.add("--eval-min-len", "N", "no </s> before N tokens in the validation decoding",
            &o.decode.min_len);
  flags.add("--eval-no-repeat-ngram", "N",
            "no N-gram twice in an output of the validation decoding (0: off)",
            &o.decode.no_repeat_ngram);
  flags.add_switch("--eval-disable-unk", "no <unk> in the validation decoding",
                   &o.decode.disable_unk);
  flags.add_choice_of(
      "--precision",
      "matrix products: fp32, or bf16 with float32 accumulation and weights (needs AVX512_BF16)",
      precision_names().names(),
      [&o](const std::string& v) {
        o.precision = precision_names().parse(v);
        const std::string reason = core::bf16_unsupported_reason();
        EMBER_CHECK(o.precision != core::MatmulPrecision::bf16 || reason.empty(),
                    "[flags] --precision bf16: {}", reason);
      },
      [&o] { return std::string(precision_names().name(o.precision)); });
}

}  // namespace ember::seq2seq::cli
