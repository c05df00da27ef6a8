// Vocab: the table between pieces (words, characters) and ids, with the four special tokens at
// fixed ids shared by every tokenizer: <pad>=0 <unk>=1 <s>=2 </s>=3.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember::seq2seq {

inline constexpr int64_t kPadId = 0;
inline constexpr int64_t kUnkId = 1;
inline constexpr int64_t kBosId = 2;  // <s>: starts every decoder input
inline constexpr int64_t kEosId = 3;  // </s>: ends every decoder output
inline constexpr int64_t kNumSpecialTokens = 4;
inline constexpr const char* kSpecialPieces[kNumSpecialTokens] = {"<pad>", "<unk>", "<s>", "</s>"};

class Vocab {
 public:
  Vocab();  // the four special tokens only
  // pieces[i] gets id i. The first four must be the special pieces in order; pieces must be
  // distinct and non-empty. Throws "[vocab]" otherwise.
  explicit Vocab(std::vector<std::string> pieces);

  // The specials, then every piece seen at least min_count times, most frequent first (ties in
  // byte order, so the result does not depend on hash order), at most max_size ids in all
  // (0 = no bound). Pieces that are special tokens are not added twice.
  static Vocab from_counts(const std::unordered_map<std::string, int64_t>& counts,
                           int64_t min_count, int64_t max_size);

  int64_t size() const { return static_cast<int64_t>(pieces_.size()); }
  int64_t id_of(std::string_view piece) const;  // kUnkId for a piece not in the vocab
  bool contains(std::string_view piece) const;
  const std::string& piece_of(int64_t id) const;  // throws "[vocab]" for an id outside [0, size)
  const std::vector<std::string>& pieces() const { return pieces_; }

  // A JSON file {"pieces": [...]}, readable by any JSON tool. load throws "[vocab]" naming the
  // file when it is missing or is not such a file.
  void save(const std::string& path) const;
  static Vocab load(const std::string& path);

 private:
  // Transparent hashing, so that id_of(string_view) does not allocate.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> pieces_;
  std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> ids_;
};

}  // namespace ember::seq2seq
