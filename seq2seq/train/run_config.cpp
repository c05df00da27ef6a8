// RunConfig: JSON form, command-line flags and the data it names.
#include "ember/seq2seq/train/run_config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <variant>
#include <vector>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/core/regular_file.h"
#include "ember/seq2seq/data/dates_corpus.h"
#include "ember/seq2seq/data/probing_corpus.h"

namespace ember::seq2seq {
namespace {

using json = nlohmann::json;

// A field of a closed set (an enum), held in the JSON by its name.
struct NamedField {
  std::function<std::string()> get;
  std::function<void(const std::string&)> set;  // throws, listing the valid names
};

template <class E>
NamedField named(E* target, const EnumNames<E>& names) {
  return {[target, &names] { return std::string(names.name(*target)); },
          [target, &names](const std::string& name) { *target = names.parse(name); }};
}

using Target = std::variant<int64_t*, float*, double*, std::string*, bool*, NamedField>;
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;  // clang 14 (the fuzz build) deduces no aggregate by itself
using Bindings = std::vector<std::pair<const char*, Target>>;

Bindings bindings(DataConfig& d) {
  return {{"builtin", &d.builtin},
          {"dir", &d.dir},
          {"source_side", &d.source_side},
          {"target_side", &d.target_side},
          {"train_split", &d.train_split},
          {"valid_split", &d.valid_split},
          {"test_split", &d.test_split},
          {"tokenized", &d.tokenized},
          {"max_source_tokens", &d.max_source_tokens},
          {"max_target_tokens", &d.max_target_tokens},
          {"truncate_source", &d.truncate_source},
          {"dates_train_size", &d.dates_train_size},
          {"dates_valid_size", &d.dates_valid_size},
          {"dates_test_size", &d.dates_test_size},
          {"dates_seed", &d.dates_seed},
          {"probing_train_size", &d.probing_train_size},
          {"probing_valid_size", &d.probing_valid_size},
          {"probing_test_size", &d.probing_test_size},
          {"probing_min_length", &d.probing_min_length},
          {"probing_max_length", &d.probing_max_length},
          {"probing_test_max_length", &d.probing_test_max_length},
          {"probing_buckets", &d.probing_buckets},
          {"probing_alphabet", &d.probing_alphabet},
          {"probing_seed", &d.probing_seed}};
}

Bindings bindings(TokenizerOptions& t) {
  return {{"kind", &t.kind},
          {"vocab_size", &t.vocab_size},
          {"min_count", &t.min_count},
          {"character_coverage", &t.character_coverage},
          {"max_training_lines", &t.max_training_lines},
          {"shared", &t.shared},
          {"from_run", &t.from_run}};
}

Bindings bindings(TrainOptions& o) {
  return {{"epochs", &o.epochs},
          {"max_steps", &o.max_steps},
          {"max_seconds", &o.max_seconds},
          {"max_tokens", &o.max_tokens},
          {"max_batch_size", &o.max_batch_size},
          {"optimizer", named(&o.optimizer, optimizer_names())},
          {"lr", &o.lr},
          {"beta1", &o.beta1},
          {"beta2", &o.beta2},
          {"weight_decay", &o.weight_decay},
          {"schedule", named(&o.schedule, schedule_names())},
          {"warmup_steps", &o.warmup_steps},
          {"min_lr", &o.min_lr},
          {"clip_norm", &o.clip_norm},
          {"label_smoothing", &o.label_smoothing},
          {"log_every", &o.log_every},
          {"eval_every", &o.eval_every},
          {"eval_sentences", &o.eval_sentences},
          {"patience", &o.patience},
          {"metric", named(&o.metric, metric_names())},
          {"bleu_tokenize", &o.bleu_tokenize},
          {"rouge_stem", &o.rouge_stem},
          {"samples", &o.samples},
          {"seed", &o.seed},
          {"save_every", &o.save_every},
          {"save_minutes", &o.save_minutes},
          {"keep_checkpoints", &o.keep_checkpoints},
          {"init_from", &o.init_from},
          {"beam_size", &o.decode.beam_size},
          {"length_penalty", &o.decode.length_penalty},
          {"beam_patience", &o.decode.patience},
          {"max_len_a", &o.decode.max_len.a},
          {"max_len_b", &o.decode.max_len.b},
          {"min_len", &o.decode.min_len},
          {"no_repeat_ngram", &o.decode.no_repeat_ngram},
          {"disable_unk", &o.decode.disable_unk},
          {"precision", named(&o.precision, precision_names())}};
}

json to_json(const Bindings& b) {
  json j = json::object();
  for (const auto& [key, target] : b) {
    std::visit(Overloaded{[&j, key = key](const NamedField& field) { j[key] = field.get(); },
                          [&j, key = key](auto* p) { j[key] = *p; }},
               target);
  }
  return j;
}

void read_value(const char* section, const std::string& key, const json& v, const Target& target) {
  const auto expect = [&](bool ok, const char* type) {
    EMBER_CHECK(ok, "[run_config] {}.{} must be {}, got {}", section, key, type, v.dump());
  };
  const auto read_name = [&](const NamedField& field) {
    expect(v.is_string(), "a string");
    field.set(v.get<std::string>());
  };
  const auto read_plain = [&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    if constexpr (std::is_same_v<T, int64_t>) {
      expect(v.is_number_integer() &&
                 !(v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX}),
             "an integer below 2^63");
    } else if constexpr (std::is_same_v<T, std::string>) {
      expect(v.is_string(), "a string");
    } else if constexpr (std::is_same_v<T, bool>) {
      expect(v.is_boolean(), "true or false");
    } else {
      // A number JSON can hold but T cannot (1e999, or 1e39 for a float) would come back as
      // infinity, which config.json could not hold in turn.
      expect(v.is_number() && std::isfinite(v.get<double>()) &&
                 std::abs(v.get<double>()) <= std::numeric_limits<T>::max(),
             "a finite number");
    }
    *p = v.get<T>();
  };
  std::visit(Overloaded{read_name, read_plain}, target);
}

void read_section(const char* section, const json& j, const Bindings& b) {
  EMBER_CHECK(j.is_object(), "[run_config] '{}' must be an object, got {}", section, j.dump());
  for (const auto& [key, value] : j.items()) {
    const auto it =
        std::find_if(b.begin(), b.end(), [&key = key](const auto& e) { return key == e.first; });
    EMBER_CHECK(it != b.end(), "[run_config] unknown key '{}.{}'", section, key);
    read_value(section, key, value, it->second);
  }
}

}  // namespace

std::string to_json_string(const RunConfig& config) {
  RunConfig c = config;
  json j;
  j["data"] = to_json(bindings(c.data));
  j["tokenizer"] = to_json(bindings(c.tokenizer));
  j["model"] = json::parse(to_json_string(c.model));
  j["train"] = to_json(bindings(c.train));
  return j.dump(2) + "\n";
}

RunConfig run_config_from_json(const std::string& text, const RunConfig& base) {
  const json j = core::parse_json(text, "[run_config]");
  EMBER_CHECK(j.is_object(), "[run_config] not a JSON object: {}", text.substr(0, 200));
  RunConfig c = base;
  for (const auto& [section, value] : j.items()) {
    if (section == "data") {
      read_section("data", value, bindings(c.data));
    } else if (section == "tokenizer") {
      read_section("tokenizer", value, bindings(c.tokenizer));
    } else if (section == "train") {
      read_section("train", value, bindings(c.train));
    } else if (section == "model") {
      c.model = from_json_string(value.dump(), c.model);
    } else {
      EMBER_CHECK(false, "[run_config] unknown section '{}' (data, tokenizer, model, train)",
                  section);
    }
  }
  return c;
}

RunConfig load_run_config(const std::string& path, const RunConfig& base) {
  const std::string text = core::read_regular_file(path, "[run_config]");
  try {
    return run_config_from_json(text, base);
  } catch (const Error& e) {
    throw Error(fmt::format("{} (in {})", e.what(), path));
  }
}

void save_run_config(const std::string& path, const RunConfig& config) {
  core::write_file_atomic(path, to_json_string(config), "[run_config]");
}

ProbingOptions probing_options(const DataConfig& data) {
  return {.task = data.builtin,
          .train_size = data.probing_train_size,
          .valid_size = data.probing_valid_size,
          .test_size = data.probing_test_size,
          .min_length = data.probing_min_length,
          .max_length = data.probing_max_length,
          .num_buckets = data.probing_buckets,
          .alphabet_size = data.probing_alphabet,
          .test_max_length = data.probing_test_max_length,
          .seed = static_cast<uint64_t>(data.probing_seed)};
}

ParallelText load_split(const DataConfig& data, const std::string& split) {
  if (!data.builtin.empty()) {
    const auto& tasks = probing_tasks();
    const bool probing = std::find(tasks.begin(), tasks.end(), data.builtin) != tasks.end();
    EMBER_CHECK(data.builtin == "dates" || probing,
                "[run_config] unknown built-in corpus '{}' (dates, copy, reverse, sort)",
                data.builtin);
    EMBER_CHECK(split == "train" || split == "valid" || split == "test",
                "[run_config] the {} corpus has the splits train, valid and test, not '{}'",
                data.builtin, split);
    if (probing) {
      ProbingCorpus corpus = make_probing_corpus(probing_options(data));
      return split == "train" ? corpus.train : split == "valid" ? corpus.valid : corpus.test;
    }
    DatesCorpus corpus = make_dates_corpus({.train_size = data.dates_train_size,
                                            .valid_size = data.dates_valid_size,
                                            .test_size = data.dates_test_size,
                                            .seed = static_cast<uint64_t>(data.dates_seed)});
    return split == "train" ? corpus.train : split == "valid" ? corpus.valid : corpus.test;
  }
  EMBER_CHECK(!data.dir.empty() && !data.source_side.empty() && !data.target_side.empty(),
              "[run_config] no data: give --data DIR --src SIDE --tgt SIDE, or --builtin dates");
  return read_parallel(
      corpus_files(data.dir, split, data.source_side, data.target_side, data.tokenized));
}

LengthFilter length_filter(const RunConfig& config) {
  // A kept example fits a batch alone (max(S + 1, T + 1) <= max_tokens) and the positions.
  const int64_t bound = std::min(config.train.max_tokens, config.model.max_positions) - 1;
  const auto limit = [bound](int64_t configured) {
    return configured > 0 ? std::min(configured, bound) : bound;
  };
  return {limit(config.data.max_source_tokens), limit(config.data.max_target_tokens),
          config.data.truncate_source};
}

void set_decode_limits(const RunConfig& config, DecodeOptions& decode) {
  const Architecture arch = config.model.architecture;
  const bool positions = arch == Architecture::kTransformer || arch == Architecture::kConvS2S;
  const int64_t readable = positions ? config.model.max_positions - 1 : 0;
  decode.max_source_tokens =
      config.data.truncate_source ? length_filter(config).max_source_tokens : readable;
  decode.max_output_tokens = readable;
}

}  // namespace ember::seq2seq
