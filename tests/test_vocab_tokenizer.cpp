#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"
#include "support/files.h"

using namespace ember::seq2seq;
namespace fs = std::filesystem;

using ember::testing::TempDir;

namespace {

const std::vector<std::string> kLines = {"a dog runs .", "a cat  sleeps .", "", "the dog sleeps ."};

}  // namespace

TEST_CASE("WordTokenizer splits on whitespace runs and maps unknown words to <unk>") {
  const WordTokenizer tokenizer = WordTokenizer::train(kLines);
  CHECK(tokenizer.kind() == "word");
  // counts: . 3, a 2, dog 2, sleeps 2, cat 1, runs 1, the 1
  CHECK(tokenizer.vocab().pieces() == std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", ".",
                                                               "a", "dog", "sleeps", "cat", "runs",
                                                               "the"});
  CHECK(tokenizer.encode("\ta  dog\r\nflies .") == std::vector<int64_t>{5, 6, kUnkId, 4});
  CHECK(tokenizer.encode("   ").empty());
  CHECK(tokenizer.decode({kBosId, 10, 6, 7, 4, kEosId, kPadId}) == "the dog sleeps .");
  CHECK(tokenizer.decode({5, kUnkId}) == "a <unk>");
  CHECK(tokenizer.decode(tokenizer.encode("a cat  sleeps .")) == "a cat sleeps .");
  CHECK(tokenizer.id_of("dog") == 6);
  CHECK(tokenizer.piece_of(6) == "dog");
}

TEST_CASE("WordTokenizer min_count and max_size bound the vocabulary") {
  const WordTokenizer frequent = WordTokenizer::train(kLines, 2);
  CHECK(frequent.vocab_size() == 8);
  CHECK(frequent.encode("the cat") == std::vector<int64_t>{kUnkId, kUnkId});
  const WordTokenizer small = WordTokenizer::train(kLines, 1, 6);
  CHECK(small.vocab_size() == 6);
  CHECK(small.encode("a dog .") == std::vector<int64_t>{5, kUnkId, 4});
}

TEST_CASE("CharTokenizer encodes UTF-8 code points and round-trips text") {
  const std::vector<std::string> lines = {"3 mar. 98", "caf\xC3\xA9 \xE4\xB8\xAD"};
  const CharTokenizer tokenizer = CharTokenizer::train(lines);
  CHECK(tokenizer.kind() == "char");
  for (const std::string& line : lines) {
    const auto ids = tokenizer.encode(line);
    CHECK(tokenizer.decode(ids) == line);
    for (int64_t id : ids) CHECK(id >= kNumSpecialTokens);
  }
  CHECK(tokenizer.encode("caf\xC3\xA9").size() == 4);
  CHECK(tokenizer.encode("zq") == std::vector<int64_t>{kUnkId, kUnkId});
  CHECK(tokenizer.decode({tokenizer.id_of("9"), kUnkId, kEosId}) == "9<unk>");
  CHECK(tokenizer.id_of(" ") != kUnkId);
}

TEST_CASE("CharTokenizer keeps invalid bytes out of the vocabulary") {
  const CharTokenizer tokenizer = CharTokenizer::train({"ab\xFF"});
  CHECK(tokenizer.vocab_size() == kNumSpecialTokens + 2);
  CHECK(tokenizer.encode("a\xFF") == std::vector<int64_t>{tokenizer.id_of("a"), kUnkId});
}

TEST_CASE("Word and char tokenizers save and load") {
  TempDir dir("vocab_tokenizer");
  const WordTokenizer word = WordTokenizer::train(kLines);
  word.save(dir.file("word"));
  CHECK(fs::exists(dir.path / "word" / "tokenizer.json"));
  CHECK(WordTokenizer::load(dir.file("word")).vocab().pieces() == word.vocab().pieces());
  const CharTokenizer chars = CharTokenizer::train(kLines);
  chars.save(dir.file("char"));
  CHECK(CharTokenizer::load(dir.file("char")).vocab().pieces() == chars.vocab().pieces());
  CHECK_THROWS_WITH_AS(WordTokenizer::load(dir.file("nothing")),
                       doctest::Contains("[vocab] cannot read"), ember::Error);
}

TEST_CASE("Vocab tokenizer errors") {
  const WordTokenizer tokenizer = WordTokenizer::train(kLines);
  CHECK_THROWS_WITH_AS(
      tokenizer.decode({4, 11}),
      doctest::Contains("[tokenizer] id 11 out of range for a word vocabulary of 11"),
      ember::Error);
  CHECK_THROWS_WITH_AS(tokenizer.decode({-1}), doctest::Contains("[tokenizer] id -1"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(tokenizer.piece_of(11), doctest::Contains("[vocab] id 11 out of range"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      WordTokenizer::train({"", "  "}),
      doctest::Contains("[tokenizer] no text to train a word tokenizer on (2 lines)"),
      ember::Error);
}

TEST_CASE("encode_prefix: the first n words or characters, whole when shorter") {
  const WordTokenizer words = WordTokenizer::train({"a b c"});
  CHECK(words.encode_prefix("  a  bb c ", 2) == "  a  bb");
  CHECK(words.encode_prefix("  a  bb c ", 3) == "  a  bb c ");  // no fourth word: whole
  CHECK(words.encode_prefix("a b", 0).empty());
  const CharTokenizer chars = CharTokenizer::train({"ab"});
  const std::string text = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80z";  // 1, 2, 3, 4, 1 bytes
  CHECK(chars.encode_prefix(text, 1) == "a");
  CHECK(chars.encode_prefix(text, 3) == "a\xC3\xA9\xE4\xB8\xAD");
  CHECK(chars.encode_prefix(text, 4) == text.substr(0, 10));
  CHECK(chars.encode_prefix(text, 5) == text);
  CHECK(chars.encode_prefix(text, 9) == text);
  CHECK(chars.encode_prefix("\xFF\xFF\xFF", 2) == "\xFF\xFF");  // invalid bytes: one piece each
  const std::string four_byte = "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80";
  CHECK(chars.encode_prefix(four_byte, 2) == four_byte.substr(0, 8));
  for (int64_t n = 0; n <= 6; ++n) {
    const std::vector<int64_t> all = chars.encode(text);
    const std::vector<int64_t> head = chars.encode(chars.encode_prefix(text, n));
    CHECK(head.size() == std::min<size_t>(all.size(), static_cast<size_t>(n)));
  }
}
