// The vocabulary table and its JSON file.
#include "ember/seq2seq/data/vocab.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/regular_file.h"
#include "ember/core/json.h"
#include "ember/seq2seq/data/text_file.h"

namespace ember::seq2seq {
namespace {

std::vector<std::string> special_pieces() {
  return std::vector<std::string>(std::begin(kSpecialPieces), std::end(kSpecialPieces));
}

}  // namespace

Vocab::Vocab() : Vocab(special_pieces()) {}

Vocab::Vocab(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {
  EMBER_CHECK(size() >= kNumSpecialTokens,
              "[vocab] needs at least the {} special tokens, got {} pieces", kNumSpecialTokens,
              size());
  for (int64_t i = 0; i < kNumSpecialTokens; ++i)
    EMBER_CHECK(pieces_[i] == kSpecialPieces[i], "[vocab] id {} must be '{}', got '{}'", i,
                kSpecialPieces[i], pieces_[i]);
  ids_.reserve(pieces_.size());
  for (int64_t i = 0; i < size(); ++i) {
    EMBER_CHECK(!pieces_[i].empty(), "[vocab] piece {} is empty", i);
    const bool inserted = ids_.emplace(pieces_[i], i).second;
    EMBER_CHECK(inserted, "[vocab] piece '{}' appears twice (ids {} and {})", pieces_[i],
                ids_.find(pieces_[i])->second, i);
  }
}

Vocab Vocab::from_counts(const std::unordered_map<std::string, int64_t>& counts, int64_t min_count,
                         int64_t max_size) {
  EMBER_CHECK(max_size == 0 || max_size > kNumSpecialTokens,
              "[vocab] max_size must be 0 (no bound) or more than the {} special tokens, got {}",
              kNumSpecialTokens, max_size);
  const Vocab specials;
  std::vector<std::pair<std::string, int64_t>> kept;
  for (const auto& [piece, count] : counts)
    if (count >= min_count && !piece.empty() && !specials.contains(piece))
      kept.emplace_back(piece, count);
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (max_size > 0 && static_cast<int64_t>(kept.size()) > max_size - kNumSpecialTokens)
    kept.resize(static_cast<size_t>(max_size - kNumSpecialTokens));
  std::vector<std::string> pieces = special_pieces();
  for (auto& entry : kept) pieces.push_back(std::move(entry.first));
  return Vocab(std::move(pieces));
}

int64_t Vocab::id_of(std::string_view piece) const {
  const auto it = ids_.find(piece);
  return it == ids_.end() ? kUnkId : it->second;
}

bool Vocab::contains(std::string_view piece) const { return ids_.find(piece) != ids_.end(); }

const std::string& Vocab::piece_of(int64_t id) const {
  EMBER_CHECK(id >= 0 && id < size(), "[vocab] id {} out of range for a vocabulary of {} pieces",
              id, size());
  return pieces_[static_cast<size_t>(id)];
}

void Vocab::save(const std::string& path) const {
  const nlohmann::json json = {{"pieces", pieces_}};
  core::write_file_atomic(
      path, json.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n', "[vocab]");
}

Vocab Vocab::load(const std::string& path) {
  const nlohmann::json json = core::parse_json(core::read_regular_file(path, "[vocab]"),
                                               fmt::format("[vocab] '{}'", path));
  EMBER_CHECK(json.is_object() && json.contains("pieces") && json["pieces"].is_array(),
              "[vocab] '{}' has no \"pieces\" array", path);
  std::vector<std::string> pieces;
  for (const auto& piece : json["pieces"]) {
    EMBER_CHECK(piece.is_string(), "[vocab] '{}': piece {} is not a string", path, pieces.size());
    pieces.push_back(piece.get<std::string>());
  }
  try {
    return Vocab(std::move(pieces));
  } catch (const Error& e) {
    const std::string_view reason = std::string_view(e.what()).substr(sizeof("[vocab]"));
    throw Error(fmt::format("[vocab] '{}': {}", path, reason));
  }
}

}  // namespace ember::seq2seq
