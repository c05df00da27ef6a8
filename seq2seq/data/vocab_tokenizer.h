// Tokenizers over a Vocab table: WordTokenizer (whitespace-separated words) and CharTokenizer
// (UTF-8 code points). Both keep the pieces seen min_count times in training, up to a size bound;
// everything else (and any piece that is not valid UTF-8) is <unk>. Saved as tokenizer.json +
// vocab.json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/data/vocab.h"

namespace ember::seq2seq {

class VocabTokenizer : public Tokenizer {
 public:
  explicit VocabTokenizer(Vocab vocab) : vocab_(std::move(vocab)) {}

  int64_t vocab_size() const override { return vocab_.size(); }
  std::vector<int64_t> encode(std::string_view text) const override;
  std::string_view encode_prefix(std::string_view text, int64_t n) const override;
  std::string decode(const std::vector<int64_t>& ids) const override;
  int64_t id_of(std::string_view piece) const override { return vocab_.id_of(piece); }
  std::string piece_of(int64_t id) const override { return vocab_.piece_of(id); }
  void save(const std::string& dir) const override;

  const Vocab& vocab() const { return vocab_; }

  // The pieces of a text, and the text of pieces (join(split(t)) is t up to whitespace for words).
  virtual std::vector<std::string_view> split(std::string_view text) const = 0;
  // The prefix of text up to the end of its n-th piece (all of it when it has fewer).
  virtual std::string_view first_pieces(std::string_view text, int64_t n) const = 0;
  virtual std::string join(const std::vector<std::string_view>& pieces) const = 0;

 protected:
  // The vocab of the pieces `split` yields on the lines, as Vocab::from_counts builds it.
  Vocab count_and_build(const std::vector<std::string>& lines, int64_t min_count,
                        int64_t max_size) const;
  void set_vocab(Vocab vocab) { vocab_ = std::move(vocab); }

 private:
  Vocab vocab_;
};

// Words: runs of non-whitespace (ASCII space, tab, CR, LF, VT, FF separate them), joined by
// one space. The tokenizer for the pre-tokenized lowercased `*.tok.*` corpora.
class WordTokenizer : public VocabTokenizer {
 public:
  explicit WordTokenizer(Vocab vocab = Vocab()) : VocabTokenizer(std::move(vocab)) {}
  static WordTokenizer train(const std::vector<std::string>& lines, int64_t min_count = 1,
                             int64_t max_size = 0);
  static WordTokenizer load(const std::string& dir);  // reads dir/vocab.json

  std::string kind() const override { return "word"; }
  std::vector<std::string_view> split(std::string_view text) const override;
  std::string_view first_pieces(std::string_view text, int64_t n) const override;
  std::string join(const std::vector<std::string_view>& pieces) const override;
};

// Characters: every UTF-8 code point is a piece, spaces included; joined with nothing, so
// decode(encode(t)) == t whenever every character of t is in the vocabulary.
class CharTokenizer : public VocabTokenizer {
 public:
  explicit CharTokenizer(Vocab vocab = Vocab()) : VocabTokenizer(std::move(vocab)) {}
  static CharTokenizer train(const std::vector<std::string>& lines, int64_t min_count = 1,
                             int64_t max_size = 0);
  static CharTokenizer load(const std::string& dir);  // reads dir/vocab.json

  std::string kind() const override { return "char"; }
  std::vector<std::string_view> split(std::string_view text) const override;
  std::string_view first_pieces(std::string_view text, int64_t n) const override;
  std::string join(const std::vector<std::string_view>& pieces) const override;
};

}  // namespace ember::seq2seq
