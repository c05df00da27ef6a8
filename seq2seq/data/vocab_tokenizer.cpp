// Word- and character-level tokenizers: a split rule and a join rule over a Vocab.
#include "ember/seq2seq/data/vocab_tokenizer.h"

#include <filesystem>
#include <unordered_map>

#include "ember/core/error.h"
#include "ember/core/utf8.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kVocabFile = "vocab.json";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string vocab_path(const std::string& dir) {
  return (std::filesystem::path(dir) / kVocabFile).string();
}

}  // namespace

std::vector<int64_t> VocabTokenizer::encode(std::string_view text) const {
  const std::vector<std::string_view> pieces = split(text);
  std::vector<int64_t> ids;
  ids.reserve(pieces.size());
  for (std::string_view piece : pieces) ids.push_back(vocab_.id_of(piece));
  return ids;
}

std::string_view VocabTokenizer::encode_prefix(std::string_view text, int64_t n) const {
  return first_pieces(text, n);
}

std::string VocabTokenizer::decode(const std::vector<int64_t>& ids) const {
  std::vector<std::string_view> pieces;
  pieces.reserve(ids.size());
  for (int64_t id : ids) {
    EMBER_CHECK(id >= 0 && id < vocab_.size(),
                "[tokenizer] id {} out of range for a {} vocabulary of {} pieces", id, kind(),
                vocab_.size());
    if (id == kPadId || id == kBosId || id == kEosId) continue;
    pieces.push_back(vocab_.piece_of(id));
  }
  return join(pieces);
}

void VocabTokenizer::save(const std::string& dir) const {
  write_tokenizer_manifest(dir, kind());
  vocab_.save(vocab_path(dir));
}

Vocab VocabTokenizer::count_and_build(const std::vector<std::string>& lines, int64_t min_count,
                                      int64_t max_size) const {
  std::unordered_map<std::string, int64_t> counts;
  for (const std::string& line : lines)
    for (std::string_view piece : split(line))
      if (core::is_valid_utf8(piece)) ++counts[std::string(piece)];
  EMBER_CHECK(!counts.empty(), "[tokenizer] no text to train a {} tokenizer on ({} lines)", kind(),
              lines.size());
  return Vocab::from_counts(counts, min_count, max_size);
}

WordTokenizer WordTokenizer::train(const std::vector<std::string>& lines, int64_t min_count,
                                   int64_t max_size) {
  WordTokenizer tokenizer;
  tokenizer.set_vocab(tokenizer.count_and_build(lines, min_count, max_size));
  return tokenizer;
}

WordTokenizer WordTokenizer::load(const std::string& dir) {
  return WordTokenizer(Vocab::load(vocab_path(dir)));
}

std::vector<std::string_view> WordTokenizer::split(std::string_view text) const {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::string_view WordTokenizer::first_pieces(std::string_view text, int64_t n) const {
  size_t i = 0;
  for (int64_t words = 0; words < n; ++words) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size()) return text;
    while (i < text.size() && !is_space(text[i])) ++i;
  }
  size_t rest = i;  // only spaces after the n-th word: the whole text
  while (rest < text.size() && is_space(text[rest])) ++rest;
  return rest == text.size() ? text : text.substr(0, i);
}

std::string WordTokenizer::join(const std::vector<std::string_view>& pieces) const {
  std::string text;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) text += ' ';
    text += pieces[i];
  }
  return text;
}

CharTokenizer CharTokenizer::train(const std::vector<std::string>& lines, int64_t min_count,
                                   int64_t max_size) {
  CharTokenizer tokenizer;
  tokenizer.set_vocab(tokenizer.count_and_build(lines, min_count, max_size));
  return tokenizer;
}

CharTokenizer CharTokenizer::load(const std::string& dir) {
  return CharTokenizer(Vocab::load(vocab_path(dir)));
}

std::vector<std::string_view> CharTokenizer::split(std::string_view text) const {
  return core::split_code_points(text);
}

std::string_view CharTokenizer::first_pieces(std::string_view text, int64_t n) const {
  // A code point takes at most 4 bytes, so the first n lie in the first 4n bytes (and, each at
  // least one byte long, there are no more than n of them when the text has n bytes or fewer).
  // The n-th piece starts within the first 4(n - 1) bytes, so it is whole in that window.
  if (n <= 0) return text.substr(0, 0);
  if (static_cast<uint64_t>(n) >= text.size()) return text;
  const std::string_view window = text.substr(0, 4 * static_cast<size_t>(n));
  const std::vector<std::string_view> pieces = core::split_code_points(window);
  if (pieces.size() <= static_cast<size_t>(n) && window.size() == text.size()) return text;
  const std::string_view last = pieces[static_cast<size_t>(n) - 1];
  return text.substr(0, static_cast<size_t>(last.data() + last.size() - text.data()));
}

std::string CharTokenizer::join(const std::vector<std::string_view>& pieces) const {
  std::string text;
  for (std::string_view piece : pieces) text += piece;
  return text;
}

}  // namespace ember::seq2seq
