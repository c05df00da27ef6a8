#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/parallel_corpus.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"
#include "support/files.h"

using namespace ember::seq2seq;
namespace fs = std::filesystem;

using ember::testing::TempDir;

namespace {

// ../shared/data: $EMBER_DATA_DIR, else next to the repository this file is in.
fs::path shared_data_dir() {
  if (const char* env = std::getenv("EMBER_DATA_DIR")) return env;
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "shared" / "data";
}

}  // namespace

TEST_CASE("corpus_file follows the <split>[.tok].<side>[.gz] layout") {
  TempDir dir("parallel_corpus");
  const std::string d = dir.path.string();
  CHECK(corpus_file(d, "train", "de", false) == dir.file("train.de.gz"));  // neither exists
  CHECK(corpus_file(d, "train", "de", true) == dir.file("train.tok.de.gz"));
  write_lines(dir.file("valid.en"), {"x"});
  CHECK(corpus_file(d, "valid", "en", false) == dir.file("valid.en"));  // plain fallback
  write_lines(dir.file("valid.de.gz"), {"x"});
  CHECK(corpus_file(d, "valid", "de", false) == dir.file("valid.de.gz"));
  write_lines(dir.file("valid.en.gz"), {"y"});  // both: neither wins silently
  const std::string both = "[corpus_file] both '" + dir.file("valid.en") + "' and '" +
                           dir.file("valid.en.gz") + "' exist";
  CHECK_THROWS_WITH_AS(corpus_file(d, "valid", "en", false), doctest::Contains(both.c_str()),
                       ember::Error);
  const CorpusFiles files = corpus_files(d, "test2016", "de", "en", true);
  CHECK(files.source == dir.file("test2016.tok.de.gz"));
  CHECK(files.target == dir.file("test2016.tok.en.gz"));
}

TEST_CASE("read_parallel reads aligned files and rejects a line-count mismatch") {
  TempDir dir("parallel_corpus");
  write_lines(dir.file("train.de.gz"), {"ein hund", "eine katze", "ein haus"});
  write_lines(dir.file("train.en"), {"a dog", "a cat", "a house"});
  const ParallelText text =
      read_parallel(corpus_files(dir.path.string(), "train", "de", "en", false));
  CHECK(text.size() == 3);
  CHECK(text.source[1] == "eine katze");
  CHECK(text.target[2] == "a house");

  write_lines(dir.file("short.en"), {"a dog", "a cat"});
  const std::string message = "[read_parallel] line counts differ: '" + dir.file("train.de.gz") +
                              "' has 3 lines, '" + dir.file("short.en") + "' has 2";
  CHECK_THROWS_WITH_AS(read_parallel(dir.file("train.de.gz"), dir.file("short.en")),
                       doctest::Contains(message.c_str()), ember::Error);
  CHECK_THROWS_WITH_AS(read_parallel(dir.file("train.de.gz"), dir.file("absent.en")),
                       doctest::Contains("absent.en"), ember::Error);
}

TEST_CASE("encode_parallel skips and counts empty and over-long pairs") {
  ParallelText text;
  text.source = {"a b c", "", "a b", "a b c d e", "a", "   ", "a b c d e f"};
  text.target = {"x y", "x", "", "x", "x y z w", "x", "x y"};
  const WordTokenizer source = WordTokenizer::train(text.source);
  const WordTokenizer target = WordTokenizer::train(text.target);
  EncodeStats stats;
  std::vector<Example> examples = encode_parallel(text, source, target, {4, 3, false}, &stats);
  CHECK(stats.kept == 1);
  CHECK(stats.empty == 3);
  CHECK(stats.too_long == 3);
  CHECK(stats.truncated == 0);
  REQUIRE(examples.size() == 1);
  CHECK(examples[0].source == source.encode("a b c"));
  CHECK(examples[0].target == target.encode("x y"));

  examples = encode_parallel(text, source, target, {4, 3, true}, &stats);
  CHECK(stats.kept == 3);
  CHECK(stats.too_long == 1);  // the target "x y z w"
  CHECK(stats.truncated == 2);
  REQUIRE(examples.size() == 3);
  CHECK(examples[1].source == source.encode("a b c d"));
  CHECK(examples[2].source.size() == 4);

  examples = encode_parallel(text, source, target, {}, nullptr);
  CHECK(examples.size() == 4);
  CHECK_THROWS_WITH_AS(encode_parallel(text, source, target, {-1, 0, false}, nullptr),
                       doctest::Contains("[encode_parallel] length limits must be >= 0"),
                       ember::Error);
  text.target.pop_back();
  CHECK_THROWS_WITH_AS(encode_parallel(text, source, target, {}, nullptr),
                       doctest::Contains("[encode_parallel] 7 source lines but 6 target lines"),
                       ember::Error);
}

TEST_CASE("encode_parallel tokenizes a long line only as far as its limit, with the same tokens") {
  ParallelText text;
  std::string huge(200000, 'a');  // no spaces
  std::string words;
  for (int i = 0; i < 5000; ++i) words += "w" + std::to_string(i % 7) + " ";
  text.source = {"a b", huge, words, "c"};
  text.target = {"x", "x", "x", "x x x x"};
  const CharTokenizer chars = CharTokenizer::train({"a b c w0123456"});
  const WordTokenizer target = WordTokenizer::train({"x"});
  EncodeStats stats;
  std::vector<Example> examples = encode_parallel(text, chars, target, {6, 3, false}, &stats);
  CHECK(stats.kept == 1);
  CHECK(stats.too_long == 3);
  CHECK(stats.tokenized_in_part == 2);  // the two long sources
  examples = encode_parallel(text, chars, target, {6, 3, true}, &stats);
  CHECK(stats.truncated == 2);
  CHECK(stats.tokenized_in_part == 2);
  REQUIRE(examples.size() == 3);
  std::vector<int64_t> cut = chars.encode(words);
  cut.resize(6);
  CHECK(examples[2].source == cut);
  CHECK(examples[1].source == std::vector<int64_t>(6, chars.id_of("a")));

  const WordTokenizer word_source = WordTokenizer::train({"w0 w1 w2 w3 w4 w5 w6"});
  examples = encode_parallel(text, word_source, target, {4, 3, true}, &stats);
  REQUIRE(examples.size() == 3);
  std::vector<int64_t> first = word_source.encode(words);
  first.resize(4);
  CHECK(examples[2].source == first);
  CHECK(stats.truncated == 1);  // the huge line is one word
}

TEST_CASE("the shared tatoeba_eng_fra/quick data reads through the layout helper") {
  const fs::path dir = shared_data_dir() / "tatoeba_eng_fra" / "quick";
  if (!fs::exists(dir)) {
    MESSAGE("skipped: no shared data at " << dir.string() << " (set EMBER_DATA_DIR)");
    return;
  }
  const ParallelText text = read_parallel(corpus_files(dir.string(), "valid", "en", "fr", true));
  CHECK(text.size() == 662);
  CHECK_FALSE(text.source[0].empty());
  CHECK_FALSE(text.target[0].empty());
  const WordTokenizer en = WordTokenizer::train(text.source);
  const WordTokenizer fr = WordTokenizer::train(text.target);
  EncodeStats stats;
  const auto examples = encode_parallel(text, en, fr, {}, &stats);
  CHECK(stats.kept == 662);
  CHECK(stats.empty == 0);
  // The quick subset holds sentences of at most 10 tokens.
  for (const Example& example : examples) CHECK(example.source.size() <= 10);
}
