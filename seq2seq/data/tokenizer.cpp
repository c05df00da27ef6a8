// The tokenizer factory and the manifest (tokenizer.json) that tells load_tokenizer the kind.
#include "ember/seq2seq/data/tokenizer.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/regular_file.h"
#include "ember/core/json.h"
#include "ember/seq2seq/data/sentencepiece_tokenizer.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kManifestFile = "tokenizer.json";

std::string kinds_list() { return fmt::format("{}", fmt::join(tokenizer_kinds(), ", ")); }

void check_kind(const std::string& kind, const std::string& where) {
  const auto& kinds = tokenizer_kinds();
  EMBER_CHECK(std::find(kinds.begin(), kinds.end(), kind) != kinds.end(),
              "[tokenizer] unknown kind '{}'{} (expected one of {})", kind, where, kinds_list());
}

}  // namespace

const std::vector<std::string>& tokenizer_kinds() {
  static const std::vector<std::string> kinds = {"word", "char", "bpe", "unigram"};
  return kinds;
}

std::unique_ptr<Tokenizer> train_tokenizer(const TokenizerOptions& options,
                                           const std::vector<std::string>& lines) {
  check_kind(options.kind, "");
  EMBER_CHECK(options.vocab_size >= 0, "[tokenizer] vocab_size must be >= 0, got {}",
              options.vocab_size);
  EMBER_CHECK(options.min_count >= 1, "[tokenizer] min_count must be >= 1, got {}",
              options.min_count);
  if (options.kind == "word")
    return std::make_unique<WordTokenizer>(
        WordTokenizer::train(lines, options.min_count, options.vocab_size));
  if (options.kind == "char")
    return std::make_unique<CharTokenizer>(
        CharTokenizer::train(lines, options.min_count, options.vocab_size));
  return std::make_unique<SentencePieceTokenizer>(
      SentencePieceTokenizer::train(lines, options.kind, options.vocab_size,
                                    options.character_coverage, options.max_training_lines));
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / kManifestFile).string();
  std::string text;
  try {
    text = core::read_regular_file(path, "[tokenizer]");
  } catch (const Error& e) {
    const std::string_view reason = std::string_view(e.what()).substr(sizeof("[tokenizer]"));
    throw Error(fmt::format("[tokenizer] no tokenizer in '{}' ({})", dir, reason));
  }
  const nlohmann::json manifest = core::parse_json(text, fmt::format("[tokenizer] '{}'", path));
  EMBER_CHECK(manifest.is_object() && manifest.contains("kind") && manifest["kind"].is_string(),
              "[tokenizer] '{}' is not a tokenizer manifest (a JSON object with a \"kind\")", path);
  const std::string kind = manifest["kind"].get<std::string>();
  check_kind(kind, fmt::format(" in '{}'", path));
  if (kind == "word") return std::make_unique<WordTokenizer>(WordTokenizer::load(dir));
  if (kind == "char") return std::make_unique<CharTokenizer>(CharTokenizer::load(dir));
  return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::load(dir, kind));
}

void write_tokenizer_manifest(const std::string& dir, const std::string& kind) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  EMBER_CHECK(!error, "[tokenizer] cannot create directory '{}': {}", dir, error.message());
  const std::string path = (std::filesystem::path(dir) / kManifestFile).string();
  core::write_file_atomic(path, nlohmann::json{{"kind", kind}}.dump() + '\n', "[tokenizer]");
}

}  // namespace ember::seq2seq
