#include <doctest/doctest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/vocab.h"
#include "support/files.h"

using namespace ember::seq2seq;

using ember::testing::TempDir;
using ember::testing::write_file;

TEST_CASE("Vocab starts with the special tokens at their fixed ids") {
  const Vocab vocab;
  CHECK(vocab.size() == kNumSpecialTokens);
  CHECK(vocab.piece_of(kPadId) == "<pad>");
  CHECK(vocab.piece_of(kUnkId) == "<unk>");
  CHECK(vocab.piece_of(kBosId) == "<s>");
  CHECK(vocab.piece_of(kEosId) == "</s>");
  CHECK(vocab.id_of("</s>") == kEosId);
  CHECK(vocab.id_of("never seen") == kUnkId);
  CHECK_FALSE(vocab.contains("never seen"));
}

TEST_CASE("Vocab::from_counts orders by count then bytes, applies min_count and max_size") {
  const std::unordered_map<std::string, int64_t> counts = {{"the", 10}, {"a", 5},    {"dog", 5},
                                                           {"cat", 2},  {"rare", 1}, {"<s>", 99}};
  const Vocab all = Vocab::from_counts(counts, 1, 0);
  CHECK(all.pieces() == std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", "the", "a", "dog",
                                                 "cat", "rare"});
  const Vocab frequent = Vocab::from_counts(counts, 2, 0);
  CHECK(frequent.size() == 8);
  CHECK(frequent.id_of("rare") == kUnkId);
  const Vocab small = Vocab::from_counts(counts, 1, 6);
  CHECK(small.pieces() == std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", "the", "a"});
  CHECK_THROWS_WITH_AS(Vocab::from_counts(counts, 1, 4), doctest::Contains("[vocab] max_size"),
                       ember::Error);
}

TEST_CASE("Vocab rejects tables without the specials, with duplicates or empty pieces") {
  CHECK_THROWS_WITH_AS(Vocab(std::vector<std::string>{"<pad>", "<unk>"}),
                       doctest::Contains("[vocab] needs at least"), ember::Error);
  CHECK_THROWS_WITH_AS(Vocab(std::vector<std::string>{"<unk>", "<pad>", "<s>", "</s>"}),
                       doctest::Contains("[vocab] id 0 must be '<pad>'"), ember::Error);
  CHECK_THROWS_WITH_AS(Vocab(std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", "x", "x"}),
                       doctest::Contains("[vocab] piece 'x' appears twice (ids 4 and 5)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(Vocab(std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", ""}),
                       doctest::Contains("[vocab] piece 4 is empty"), ember::Error);
  CHECK_THROWS_WITH_AS(Vocab().piece_of(4), doctest::Contains("[vocab] id 4 out of range"),
                       ember::Error);
}

TEST_CASE("Vocab saves and loads; corrupt files are errors naming the file") {
  TempDir dir("vocab");
  const Vocab vocab(
      std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", "caf\xC3\xA9", " ", "\"quoted\""});
  vocab.save(dir.file("vocab.json"));
  CHECK(Vocab::load(dir.file("vocab.json")).pieces() == vocab.pieces());

  CHECK_THROWS_WITH_AS(Vocab::load(dir.file("missing.json")),
                       doctest::Contains("[vocab] cannot read"), ember::Error);
  write_file(dir.file("truncated.json"), "{\"pieces\": [\"<pad>\", \"<u");
  CHECK_THROWS_WITH_AS(Vocab::load(dir.file("truncated.json")),
                       doctest::Contains("truncated.json': not valid JSON: parse error at line 1"),
                       ember::Error);
  write_file(dir.file("twice.json"), "{\"pieces\": [], \"pieces\": [\"a\"]}");
  CHECK_THROWS_WITH_AS(Vocab::load(dir.file("twice.json")),
                       doctest::Contains("twice.json': JSON key \"pieces\" appears twice"),
                       ember::Error);
  write_file(dir.file("deep.json"),
             "{\"pieces\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  CHECK_THROWS_WITH_AS(Vocab::load(dir.file("deep.json")),
                       doctest::Contains("deep.json': JSON nested deeper than 64 levels"),
                       ember::Error);
  write_file(dir.file("no_pieces.json"), "{\"words\": []}");
  CHECK_THROWS_WITH_AS(Vocab::load(dir.file("no_pieces.json")),
                       doctest::Contains("has no \"pieces\" array"), ember::Error);
  write_file(dir.file("number.json"), "{\"pieces\": [\"<pad>\", \"<unk>\", \"<s>\", \"</s>\", 7]}");
  CHECK_THROWS_WITH_AS(Vocab::load(dir.file("number.json")),
                       doctest::Contains("piece 4 is not a string"), ember::Error);
  write_file(dir.file("swapped.json"), "{\"pieces\": [\"<unk>\", \"<pad>\", \"<s>\", \"</s>\"]}");
  CHECK_THROWS_WITH_AS(Vocab::load(dir.file("swapped.json")),
                       doctest::Contains("swapped.json': id 0 must be '<pad>'"), ember::Error);
}
