#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/sentencepiece_tokenizer.h"
#include "support/files.h"

using namespace ember::seq2seq;
namespace fs = std::filesystem;

using ember::testing::TempDir;
using ember::testing::write_file;

namespace {

// A few hundred sentences from a small grammar, drawn with a fixed linear congruential generator.
std::vector<std::string> small_text() {
  const std::vector<std::string> subjects = {"the dog",     "a cat",          "my brother",
                                             "the teacher", "our neighbours", "a little girl"};
  const std::vector<std::string> verbs = {"reads",   "watches",   "paints",
                                          "carries", "remembers", "understands"};
  const std::vector<std::string> objects = {"the newspaper", "a red balloon", "the mountains",
                                            "an interesting story", "the kitchen window"};
  const std::vector<std::string> ends = {"today", "every morning", "quietly", "again", "at night"};
  uint64_t state = 42;
  const auto pick = [&](const std::vector<std::string>& words) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return words[(state >> 33) % words.size()];
  };
  std::vector<std::string> lines;
  for (int i = 0; i < 400; ++i)
    lines.push_back(pick(subjects) + " " + pick(verbs) + " " + pick(objects) + " " + pick(ends));
  return lines;
}

void check_round_trip(const SentencePieceTokenizer& tokenizer,
                      const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    const std::vector<int64_t> ids = tokenizer.encode(line);
    REQUIRE_FALSE(ids.empty());
    for (int64_t id : ids) {
      CHECK(id >= kUnkId);
      CHECK(id != kBosId);
      CHECK(id != kEosId);
      CHECK(id < tokenizer.vocab_size());
    }
    CHECK(tokenizer.decode(ids) == line);
  }
}

// A serialized SentencePiece ModelProto made by hand, with SentencePiece's own default ids
// (<unk>=0 <s>=1 </s>=2, no <pad>): repeated SentencePiece pieces = 1 {piece = 1, score = 2,
// type = 3 (NORMAL 1, UNKNOWN 2, CONTROL 3)}.
std::string default_ids_model() {
  std::string model;
  const auto add_piece = [&](const std::string& piece, char type) {
    std::string entry;
    entry += '\x0A';
    entry += static_cast<char>(piece.size());
    entry += piece;
    entry += std::string("\x15\x00\x00\x00\x00", 5);  // score 0.0f
    entry += '\x18';
    entry += type;
    model += '\x0A';
    model += static_cast<char>(entry.size());
    model += entry;
  };
  add_piece("<unk>", 2);
  add_piece("<s>", 3);
  add_piece("</s>", 3);
  for (const std::string piece : {"a", "b", "\xE2\x96\x81"}) add_piece(piece, 1);
  return model;
}

}  // namespace

TEST_CASE("SentencePiece BPE and unigram train with ember's special ids and round-trip") {
  const std::vector<std::string> lines = small_text();
  for (const std::string kind : {"bpe", "unigram"}) {
    CAPTURE(kind);
    const SentencePieceTokenizer tokenizer = SentencePieceTokenizer::train(lines, kind, 100);
    CHECK(tokenizer.kind() == kind);
    CHECK(tokenizer.vocab_size() > 40);
    CHECK(tokenizer.vocab_size() <= 100);
    CHECK(tokenizer.piece_of(kPadId) == "<pad>");
    CHECK(tokenizer.piece_of(kUnkId) == "<unk>");
    CHECK(tokenizer.piece_of(kBosId) == "<s>");
    CHECK(tokenizer.piece_of(kEosId) == "</s>");
    CHECK(tokenizer.id_of("</s>") == kEosId);
    CHECK(tokenizer.id_of("no such piece") == kUnkId);
    check_round_trip(tokenizer, {lines[0], lines[1], lines[7], "the cat reads a story"});
    // Subwords: a sentence takes fewer pieces than characters.
    CHECK(tokenizer.encode(lines[0]).size() < lines[0].size());
    // Specials are dropped when decoding.
    std::vector<int64_t> framed = tokenizer.encode("the dog");
    framed.insert(framed.begin(), kBosId);
    framed.push_back(kEosId);
    framed.push_back(kPadId);
    CHECK(tokenizer.decode(framed) == "the dog");
  }
}

TEST_CASE("SentencePiece training is deterministic and a small text caps the vocabulary") {
  const std::vector<std::string> lines = small_text();
  const auto a = SentencePieceTokenizer::train(lines, "bpe", 80);
  const auto b = SentencePieceTokenizer::train(lines, "bpe", 80);
  CHECK(a.encode(lines[3]) == b.encode(lines[3]));
  const auto capped = SentencePieceTokenizer::train({"ab ab ab", "ba ba"}, "unigram", 500);
  CHECK(capped.vocab_size() < 500);
  CHECK(capped.decode(capped.encode("ab ba")) == "ab ba");
}

TEST_CASE("SentencePiece tokenizers save with the run and load back") {
  TempDir dir("sentencepiece");
  const std::vector<std::string> lines = small_text();
  const auto trained = SentencePieceTokenizer::train(lines, "unigram", 90);
  trained.save(dir.file("spm"));
  CHECK(fs::exists(dir.path / "spm" / "sentencepiece.model"));
  CHECK(fs::exists(dir.path / "spm" / "tokenizer.json"));
  const auto loaded = SentencePieceTokenizer::load(dir.file("spm"), "unigram");
  CHECK(loaded.vocab_size() == trained.vocab_size());
  for (int i = 0; i < 20; ++i) CHECK(loaded.encode(lines[i]) == trained.encode(lines[i]));
}

TEST_CASE("SentencePiece errors") {
  TempDir dir("sentencepiece");
  const std::vector<std::string> lines = small_text();
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::train(lines, "wordpiece", 100),
                       doctest::Contains("[sentencepiece] kind must be 'bpe' or 'unigram'"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::train(lines, "bpe", 4),
                       doctest::Contains("[sentencepiece] vocab_size must be more than"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::train(lines, "bpe", 100, 1.0, 0),
                       doctest::Contains("[sentencepiece] max_training_lines must be > 0"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::train({"", ""}, "bpe", 100),
                       doctest::Contains("[sentencepiece] no text to train on"), ember::Error);
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::train(lines, "unigram", 100, 1.5),
                       doctest::Contains("[sentencepiece] training a unigram model"), ember::Error);
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::load(dir.file("none"), "bpe"),
                       doctest::Contains("[sentencepiece] cannot read"), ember::Error);

  const auto tokenizer = SentencePieceTokenizer::train(lines, "bpe", 100);
  tokenizer.save(dir.file("corrupt"));
  write_file(dir.file("corrupt") + "/sentencepiece.model", "this is not a model");
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::load(dir.file("corrupt"), "bpe"),
                       doctest::Contains("[sentencepiece] cannot load '"), ember::Error);
  write_file(dir.file("corrupt") + "/sentencepiece.model", default_ids_model());
  CHECK_THROWS_WITH_AS(SentencePieceTokenizer::load(dir.file("corrupt"), "bpe"),
                       doctest::Contains("has special ids pad=-1 unk=0 bos=1 eos=2; ember needs"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(tokenizer.decode({5, tokenizer.vocab_size()}),
                       doctest::Contains("[tokenizer] id"), ember::Error);
  CHECK_THROWS_WITH_AS(tokenizer.piece_of(-1), doctest::Contains("[tokenizer] id -1"),
                       ember::Error);
}

TEST_CASE("SentencePiece encode_prefix: the first n ids of the whole line, cut at a space") {
  const std::vector<std::string> lines = small_text();
  for (const std::string kind : {"bpe", "unigram"}) {
    INFO(kind);
    const auto tokenizer = SentencePieceTokenizer::train(lines, kind, 100);
    std::string long_line;
    for (int i = 0; i < 400; ++i) long_line += lines[static_cast<size_t>(i) % lines.size()] + " ";
    const std::vector<int64_t> all = tokenizer.encode(long_line);
    for (const int64_t n : {1, 3, 10, 50}) {
      const std::string_view head = tokenizer.encode_prefix(long_line, n);
      CHECK(head.size() < long_line.size());
      CHECK(head.size() >= static_cast<size_t>(n * SentencePieceTokenizer::kMaxPieceBytes));
      const std::vector<int64_t> ids = tokenizer.encode(head);
      REQUIRE(ids.size() >= static_cast<size_t>(n));
      CHECK(std::equal(ids.begin(), ids.end(), all.begin()));
    }
    CHECK(tokenizer.encode_prefix(lines[0], 1000) == lines[0]);  // short: whole
    CHECK(tokenizer.encode_prefix(lines[0], 0).empty());
    // An unbroken run of 10 kB is cut at a character boundary after n * kMaxPieceBytes bytes.
    std::string unbroken;
    while (unbroken.size() < 10000) unbroken += "\xC3\xA9";
    const std::string_view cut = tokenizer.encode_prefix("xx" + unbroken, 4);
    CHECK(cut.size() == static_cast<size_t>(4 * SentencePieceTokenizer::kMaxPieceBytes));
  }
}
