// SentencePieceTokenizer: subword units learnt from the training text by SentencePiece
// (Kudo & Richardson 2018), either BPE (Sennrich et al. 2016) or a unigram language model
// (Kudo 2018). The special ids are pinned to ember's: pad_id=0 unk_id=1 bos_id=2 eos_id=3.
// Saved as tokenizer.json + sentencepiece.model, the file SentencePiece's own tools read.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/seq2seq/data/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}  // namespace sentencepiece

namespace ember::seq2seq {

class SentencePieceTokenizer : public Tokenizer {
 public:
  // Trains on the non-empty lines. kind is "bpe" or "unigram"; the vocabulary has at most
  // vocab_size pieces (fewer when the text is too small to fill it). More than
  // max_training_lines lines are sampled down to that many (with a fixed seed). SentencePiece's
  // own log is silenced to errors. Throws "[sentencepiece]" with SentencePiece's reason on failure.
  static SentencePieceTokenizer train(const std::vector<std::string>& lines,
                                      const std::string& kind, int64_t vocab_size,
                                      double character_coverage = 1.0,
                                      int64_t max_training_lines = 2000000);
  // Reads dir/sentencepiece.model. Throws "[sentencepiece]" naming the file when it is missing,
  // corrupt, or has other special ids than ember's.
  static SentencePieceTokenizer load(const std::string& dir, const std::string& kind);

  SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept;
  SentencePieceTokenizer& operator=(SentencePieceTokenizer&&) noexcept;
  ~SentencePieceTokenizer() override;

  std::string kind() const override { return kind_; }
  int64_t vocab_size() const override;
  std::vector<int64_t> encode(std::string_view text) const override;
  // A piece is at most 16 characters (SentencePiece's max_sentencepiece_length, which training
  // keeps at its default) of at most 4 bytes: kMaxPieceBytes. A text of up to n * kMaxPieceBytes
  // bytes is returned whole; a longer one is cut just before the first space at or after that
  // many bytes. Pieces never span a space, so the prefix's ids are exactly the first ids of the
  // whole text's. When no space comes within another n * kMaxPieceBytes bytes, the cut is made at
  // the character boundary at n * kMaxPieceBytes instead (the pieces of that unbroken run near
  // the cut may then differ). The prefix can hold fewer than n pieces only when runs of spaces,
  // characters the normalizer removes, or unknown characters make up most of it.
  std::string_view encode_prefix(std::string_view text, int64_t n) const override;
  static constexpr int64_t kMaxPieceBytes = 16 * 4;
  std::string decode(const std::vector<int64_t>& ids) const override;
  int64_t id_of(std::string_view piece) const override;
  std::string piece_of(int64_t id) const override;
  void save(const std::string& dir) const override;

 private:
  // `model` is a serialized SentencePiece ModelProto; `origin` names it in errors.
  SentencePieceTokenizer(std::string kind, std::string model, const std::string& origin);

  std::string kind_;
  std::string model_;
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
};

}  // namespace ember::seq2seq
