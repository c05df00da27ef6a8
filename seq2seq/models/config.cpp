#include "ember/seq2seq/models/config.h"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

#include "ember/core/allocator.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/seq2seq/enum_names.h"

namespace ember::seq2seq {
namespace {

using Json = nlohmann::json;

const EnumNames<Architecture> kArchitectures{"[model_config]", "architecture",
                                              {{"rnn", Architecture::kRnn},
                                               {"rnn_attention", Architecture::kRnnAttention},
                                               {"transformer", Architecture::kTransformer},
                                               {"convs2s", Architecture::kConvS2S}}};
const EnumNames<CellType> kCells{
    "[model_config]", "cell",
    {{"rnn", CellType::kRnnTanh}, {"gru", CellType::kGru}, {"lstm", CellType::kLstm}}};
const EnumNames<AttentionScore> kScores{"[model_config]", "attention",
                                        {{"dot", AttentionScore::kDot},
                                         {"scaled_dot", AttentionScore::kScaledDot},
                                         {"general", AttentionScore::kGeneral},
                                         {"additive", AttentionScore::kAdditive}}};

// The integer fields, by JSON name.
constexpr std::array<std::pair<const char*, int64_t ModelConfig::*>, 11> kIntFields{{
    {"src_vocab_size", &ModelConfig::src_vocab_size},
    {"tgt_vocab_size", &ModelConfig::tgt_vocab_size},
    {"embedding_dim", &ModelConfig::embedding_dim},
    {"hidden_size", &ModelConfig::hidden_size},
    {"encoder_layers", &ModelConfig::encoder_layers},
    {"decoder_layers", &ModelConfig::decoder_layers},
    {"num_heads", &ModelConfig::num_heads},
    {"feedforward_dim", &ModelConfig::feedforward_dim},
    {"kernel_size", &ModelConfig::kernel_size},
    {"max_positions", &ModelConfig::max_positions},
    {"attention_dim", &ModelConfig::attention_dim},
}};
constexpr std::array<std::pair<const char*, bool ModelConfig::*>, 3> kBoolFields{{
    {"norm_first", &ModelConfig::norm_first},
    {"tie_embeddings", &ModelConfig::tie_embeddings},
    {"copy", &ModelConfig::copy},
}};

// Reads one key of the JSON object into config; false when the key is not a field.
bool read_field(const std::string& key, const Json& value, ModelConfig& config) {
  const auto expect = [&](bool ok, const char* type) {
    EMBER_CHECK(ok, "[model_config] '{}' must be {}, got {}", key, type, value.dump());
  };
  for (const auto& [name, member] : kIntFields)
    if (key == name) {
      expect(value.is_number_integer() && !(value.is_number_unsigned() &&
                                                 value.get<uint64_t>() > uint64_t{INT64_MAX}),
             "an integer below 2^63");
      config.*member = value.get<int64_t>();
      return true;
    }
  for (const auto& [name, member] : kBoolFields)
    if (key == name) {
      expect(value.is_boolean(), "true or false");
      config.*member = value.get<bool>();
      return true;
    }
  if (key == "dropout") {
    expect(value.is_number(), "a number");
    config.dropout = value.get<float>();
    return true;
  }
  const bool is_enum = key == "architecture" || key == "cell" || key == "attention";
  if (!is_enum) return false;
  expect(value.is_string(), "a string");
  const std::string name = value.get<std::string>();
  if (key == "architecture") config.architecture = parse_architecture(name);
  if (key == "cell") config.cell = parse_cell_type(name);
  if (key == "attention") config.attention = parse_attention_score(name);
  return true;
}

void check_field(bool ok, const char* field, double value, const char* rule) {
  EMBER_CHECK(ok, "[model_config] {} = {} {}", field, value, rule);
}
void check_field(bool ok, const char* field, int64_t value, const char* rule) {
  EMBER_CHECK(ok, "[model_config] {} = {} {}", field, value, rule);
}

// Upper bounds of the integer fields: generous (far past any model a CPU trains) but finite, so
// that an impossible size is refused here with its number instead of overflowing, aborting or
// running out of memory while the model is built. Sizes under a bound may still not fit the
// machine: validate() also estimates the parameters' memory.
//   vocabularies   2^24 = 16,777,216: 64 times the largest vocabularies in use (256k); ids up to
//                  2^24 stay exact in float32.
//   widths         2^16 = 65,536 (embedding_dim, hidden_size, attention_dim, num_heads): 3.5 times
//                  PaLM-540B's d_model (18,432).
//   feedforward    2^18 = 262,144: 3.5 times PaLM-540B's feed-forward width (73,728).
//   layers         1,024 a side: past the deepest Transformers trained (DeepNet, 1,000 layers).
//   kernel_size    1,024: ConvS2S uses 3 to 25.
//   max_positions  2^20 = 1,048,576 tokens: one attention matrix that long is 2^40 floats (4 TiB).
constexpr int64_t kMaxVocab = int64_t{1} << 24;
constexpr int64_t kMaxWidth = int64_t{1} << 16;
constexpr int64_t kMaxFeedforward = int64_t{1} << 18;
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxKernel = 1024;
constexpr int64_t kMaxPositions = int64_t{1} << 20;

int64_t upper_bound(int64_t ModelConfig::*member) {
  if (member == &ModelConfig::src_vocab_size || member == &ModelConfig::tgt_vocab_size)
    return kMaxVocab;
  if (member == &ModelConfig::feedforward_dim) return kMaxFeedforward;
  if (member == &ModelConfig::encoder_layers || member == &ModelConfig::decoder_layers)
    return kMaxLayers;
  if (member == &ModelConfig::kernel_size) return kMaxKernel;
  if (member == &ModelConfig::max_positions) return kMaxPositions;
  return kMaxWidth;  // embedding_dim, hidden_size, num_heads, attention_dim
}

// A lower bound of the model's float32 parameters (and the Transformer's position table): the
// embeddings, the positions and one square weight matrix of every layer (a recurrent cell's
// weight_hh, a Transformer layer's attention projections and feed-forward, a ConvS2S
// convolution). In double: the bounds above keep it far below 2^53.
double parameter_lower_bound(const ModelConfig& c) {
  const auto v_src = static_cast<double>(c.src_vocab_size);
  const auto v_tgt = static_cast<double>(c.tgt_vocab_size);
  const auto enc = static_cast<double>(c.encoder_layers);
  const auto dec = static_cast<double>(c.decoder_layers);
  const auto h = static_cast<double>(c.hidden_size);
  const auto e = static_cast<double>(c.embedding_dim);
  const auto positions = static_cast<double>(c.max_positions);
  switch (c.architecture) {
    case Architecture::kTransformer: {
      const auto ff = static_cast<double>(c.feedforward_dim);
      return (v_src + v_tgt + positions) * h + enc * (4 * h * h + 2 * h * ff) +
             dec * (8 * h * h + 2 * h * ff) + (c.tie_embeddings ? 0.0 : v_tgt * h);
    }
    case Architecture::kConvS2S:
      return (v_src + v_tgt + 2 * positions) * e +
             (enc + dec) * h * h * static_cast<double>(c.kernel_size);
    case Architecture::kRnn:
    case Architecture::kRnnAttention:
      return (v_src + v_tgt) * e + enc * h * h / 2 + dec * h * h + v_tgt * h;
  }
  return 0.0;
}

}  // namespace

const char* to_string(Architecture a) { return kArchitectures.name(a); }
const char* to_string(CellType c) { return kCells.name(c); }
const char* to_string(AttentionScore a) { return kScores.name(a); }

Architecture parse_architecture(std::string_view name) {
  return kArchitectures.parse(name);
}
CellType parse_cell_type(std::string_view name) { return kCells.parse(name); }
AttentionScore parse_attention_score(std::string_view name) {
  return kScores.parse(name);
}

ModelConfig preset(Architecture architecture, std::string_view size) {
  const int index = size == "tiny" ? 0 : size == "small" ? 1 : size == "base" ? 2 : -1;
  EMBER_CHECK(index >= 0, "[model_config] unknown preset '{}' (expected one of: tiny, small, base)",
              size);
  const auto pick = [index](auto tiny, auto small, auto base) {
    return index == 0 ? tiny : index == 1 ? small : base;
  };
  ModelConfig c;
  c.architecture = architecture;
  c.tie_embeddings = false;
  switch (architecture) {
    case Architecture::kRnn:
    case Architecture::kRnnAttention:
      c.embedding_dim = pick(32, 256, 512);
      c.hidden_size = pick(64, 512, 1024);
      c.encoder_layers = c.decoder_layers = pick(1, 1, 2);
      c.dropout = pick(0.1f, 0.3f, 0.3f);
      break;
    case Architecture::kTransformer:
      c.hidden_size = c.embedding_dim = pick(64, 256, 512);
      c.num_heads = pick(4, 8, 8);
      c.feedforward_dim = pick(128, 512, 2048);
      c.encoder_layers = c.decoder_layers = pick(2, 3, 6);
      c.dropout = 0.1f;
      c.tie_embeddings = true;
      break;
    case Architecture::kConvS2S:
      c.embedding_dim = pick(32, 256, 512);
      c.hidden_size = pick(64, 512, 512);
      c.encoder_layers = c.decoder_layers = pick(2, 10, 15);
      c.kernel_size = 3;
      c.dropout = pick(0.1f, 0.25f, 0.2f);
      break;
  }
  return c;
}

void validate(const ModelConfig& c) {
  for (const auto& [name, member] : kIntFields) {
    const int64_t v = c.*member;
    const bool vocab =
        name == std::string_view("src_vocab_size") || name == std::string_view("tgt_vocab_size");
    if (vocab)
      check_field(v > 4, name, v, "must be > 4 (the 4 special tokens and at least one more)");
    else if (member == &ModelConfig::attention_dim)
      check_field(v >= 0, name, v, "must be >= 0 (0 = hidden_size)");
    else
      check_field(v > 0, name, v, "must be positive");
    const int64_t bound = upper_bound(member);
    EMBER_CHECK(v <= bound, "[model_config] {} = {} is larger than the limit {}", name, v, bound);
  }
  check_field(c.dropout >= 0.0f && c.dropout < 1.0f, "dropout", static_cast<double>(c.dropout),
              "must be in [0, 1)");
  const double parameters = parameter_lower_bound(c);
  const double bytes = parameters * sizeof(float);
  EMBER_CHECK(bytes <= static_cast<double>(core::physical_memory_bytes()),
              "[model_config] the model ({}) needs at least {:.0f} parameters, {:.0f} bytes ({:.1f} GiB) of "
              "float32 weights alone: more than the machine's physical memory, {} bytes ({:.1f} "
              "GiB)",
              summary(c), parameters, bytes, bytes / double(1ull << 30),
              core::physical_memory_bytes(),
              static_cast<double>(core::physical_memory_bytes()) / double(1ull << 30));
  const auto arch = c.architecture;
  if (arch == Architecture::kTransformer)
    EMBER_CHECK(c.hidden_size % c.num_heads == 0,
                "[model_config] hidden_size = {} (d_model) must be divisible by num_heads = {}",
                c.hidden_size, c.num_heads);
  if (arch == Architecture::kRnnAttention)
    check_field(c.hidden_size % 2 == 0, "hidden_size", c.hidden_size,
                "must be even for rnn_attention (hidden_size / 2 per encoder direction)");
  if (arch == Architecture::kRnn)
    EMBER_CHECK(c.encoder_layers == c.decoder_layers,
                "[model_config] rnn needs encoder_layers = decoder_layers (the encoder's final "
                "state starts the decoder), got {} and {}",
                c.encoder_layers, c.decoder_layers);
  EMBER_CHECK(
      !c.tie_embeddings || arch == Architecture::kTransformer || arch == Architecture::kConvS2S,
      "[model_config] tie_embeddings is not available for {} (transformer and convs2s "
      "only): set it to false",
      to_string(arch));
  EMBER_CHECK(!c.copy || arch == Architecture::kTransformer,
              "[model_config] copy is available for the transformer only, not {}",
              to_string(arch));
  EMBER_CHECK(!c.copy || c.src_vocab_size == c.tgt_vocab_size,
              "[model_config] copy needs one vocabulary for both sides, got src_vocab_size {} "
              "and tgt_vocab_size {}",
              c.src_vocab_size, c.tgt_vocab_size);
}

std::string to_json_string(const ModelConfig& c) {
  Json j = Json::object();
  j["architecture"] = to_string(c.architecture);
  for (const auto& [name, member] : kIntFields) j[name] = c.*member;
  for (const auto& [name, member] : kBoolFields) j[name] = c.*member;
  j["cell"] = to_string(c.cell);
  j["attention"] = to_string(c.attention);
  j["dropout"] = c.dropout;
  return j.dump(2);
}

ModelConfig from_json_string(const std::string& json, const ModelConfig& base) {
  const Json j = core::parse_json(json, "[model_config]");
  EMBER_CHECK(j.is_object(), "[model_config] not a JSON object: {}", json.substr(0, 80));
  ModelConfig c = base;
  if (j.contains("architecture")) read_field("architecture", j["architecture"], c);
  if (j.contains("preset")) {
    EMBER_CHECK(j["preset"].is_string(), "[model_config] 'preset' must be a string, got {}",
                j["preset"].dump());
    c = preset(c.architecture, j["preset"].get<std::string>());
    c.src_vocab_size = base.src_vocab_size;  // vocabularies are not part of a preset
    c.tgt_vocab_size = base.tgt_vocab_size;
  }
  for (const auto& [key, value] : j.items())
    EMBER_CHECK(key == "preset" || read_field(key, value, c),
                "[model_config] unknown key '{}' (fields: architecture, preset, cell, attention, "
                "dropout, src_vocab_size, hidden_size, ... as to_json_string writes them)",
                key);
  validate(c);
  return c;
}

std::string summary(const ModelConfig& c) {
  std::string s = to_string(c.architecture);
  const std::string layers = fmt::format("{}+{} layers", c.encoder_layers, c.decoder_layers);
  switch (c.architecture) {
    case Architecture::kRnn:
      s += fmt::format(" {} E {}, H {}, {}", to_string(c.cell), c.embedding_dim, c.hidden_size,
                       layers);
      break;
    case Architecture::kRnnAttention:
      s += fmt::format(" {} E {}, H {}, {}, {} attention", to_string(c.cell), c.embedding_dim,
                       c.hidden_size, layers, to_string(c.attention));
      if (c.attention == AttentionScore::kAdditive)
        s += fmt::format(" of width {}", c.effective_attention_dim());
      break;
    case Architecture::kTransformer:
      s += fmt::format(" d_model {}, {} heads, ff {}, {}, {}{}", c.hidden_size, c.num_heads,
                       c.feedforward_dim, layers, c.norm_first ? "pre-norm" : "post-norm",
                       c.tie_embeddings ? ", tied embeddings" : "");
      if (c.copy) s += ", copy";
      break;
    case Architecture::kConvS2S:
      s += fmt::format(" E {}, H {}, {}, kernel {}{}", c.embedding_dim, c.hidden_size, layers,
                       c.kernel_size, c.tie_embeddings ? ", tied embeddings" : "");
      break;
  }
  return s +
         fmt::format(", dropout {}, vocab {}/{}", c.dropout, c.src_vocab_size, c.tgt_vocab_size);
}

// ---- shared by the models -----------------------------------------------------------------------

void check_source(const char* tag, const IndexArray& src, const std::vector<int64_t>& lengths) {
  EMBER_CHECK(src.dim() == 2 && src.size(0) > 0 && src.size(1) > 0 &&
                  static_cast<int64_t>(lengths.size()) == src.size(0),
              "[{}] src {} must be (B, S) with B, S >= 1 and one length per row, got {} lengths",
              tag, core::shape_str(src.shape()), lengths.size());
  for (int64_t length : lengths)
    EMBER_CHECK(length >= 1 && length <= src.size(1),
                "[{}] source length {} outside [1, {}] for src {}", tag, length, src.size(1),
                core::shape_str(src.shape()));
}

void check_target(const char* tag, const IndexArray& src, const IndexArray& tgt) {
  EMBER_CHECK(tgt.dim() == 2 && tgt.size(0) == src.size(0) && tgt.size(1) > 0,
              "[{}] tgt_in {} must be (B, T) with T >= 1 and the batch of src {}", tag,
              core::shape_str(tgt.shape()), core::shape_str(src.shape()));
}

void check_step_tokens(const char* tag, const IndexArray& tokens, int64_t batch) {
  EMBER_CHECK(tokens.dim() == 1 && tokens.size(0) == batch,
              "[{}] tokens {} must be (B) = ({}), one per hypothesis of the state", tag,
              core::shape_str(tokens.shape()), batch);
}

SourceRows::SourceRows(int64_t batch) : rows_(static_cast<size_t>(batch)) {
  for (int64_t b = 0; b < batch; ++b) rows_[static_cast<size_t>(b)] = b;
}

bool SourceRows::select(const char* tag, const IndexArray& rows) {
  const int64_t current = size();
  EMBER_CHECK(rows.dim() == 1 && rows.numel() > 0,
              "[{}] select needs a non-empty 1-D list of rows, got shape {}", tag,
              core::shape_str(rows.shape()));
  std::vector<int64_t> next(static_cast<size_t>(rows.numel()));
  for (int64_t i = 0; i < rows.numel(); ++i) {
    EMBER_CHECK(rows[i] >= 0 && rows[i] < current,
                "[{}] select: row {} out of range for {} hypotheses", tag, rows[i], current);
    next[static_cast<size_t>(i)] = rows_[static_cast<size_t>(rows[i])];
  }
  const bool changed = next != rows_;
  rows_ = std::move(next);
  return changed;
}

IndexArray SourceRows::index() const { return IndexArray(rows_); }

}  // namespace ember::seq2seq
