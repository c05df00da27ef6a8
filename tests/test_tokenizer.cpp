#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/tokenizer.h"
#include "support/files.h"

using namespace ember::seq2seq;
namespace fs = std::filesystem;

using ember::testing::TempDir;

namespace {

std::vector<std::string> sample_lines() {
  std::vector<std::string> lines;
  const std::vector<std::string> words = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};
  for (size_t i = 0; i < 200; ++i)
    lines.push_back(words[i % 6] + " " + words[(i * 7 + 1) % 6] + " " + words[(i * 5 + 2) % 6]);
  return lines;
}

}  // namespace

TEST_CASE("train_tokenizer makes every kind; save and load_tokenizer restore it") {
  TempDir dir("tokenizer");
  const std::vector<std::string> lines = sample_lines();
  CHECK(tokenizer_kinds() == std::vector<std::string>{"word", "char", "bpe", "unigram"});
  for (const std::string& kind : tokenizer_kinds()) {
    CAPTURE(kind);
    TokenizerOptions options;
    options.kind = kind;
    options.vocab_size = 40;
    const auto tokenizer = train_tokenizer(options, lines);
    CHECK(tokenizer->kind() == kind);
    CHECK(tokenizer->vocab_size() <= 40);
    CHECK(tokenizer->id_of("<pad>") == kPadId);
    CHECK(tokenizer->id_of("</s>") == kEosId);
    CHECK(tokenizer->decode(tokenizer->encode(lines[5])) == lines[5]);
    tokenizer->save(dir.file(kind));
    const auto loaded = load_tokenizer(dir.file(kind));
    CHECK(loaded->kind() == kind);
    CHECK(loaded->vocab_size() == tokenizer->vocab_size());
    CHECK(loaded->encode(lines[11]) == tokenizer->encode(lines[11]));
  }
}

TEST_CASE("train_tokenizer passes min_count to word and char tokenizers") {
  TokenizerOptions options;
  options.kind = "word";
  options.min_count = 2;
  const auto tokenizer = train_tokenizer(options, {"seen seen once", "seen twice twice"});
  CHECK(tokenizer->vocab_size() == kNumSpecialTokens + 2);
  CHECK(tokenizer->encode("once") == std::vector<int64_t>{kUnkId});
}

TEST_CASE("tokenizer factory and loader errors") {
  TempDir dir("tokenizer");
  TokenizerOptions options;
  options.kind = "wordpiece";
  CHECK_THROWS_WITH_AS(
      train_tokenizer(options, {"a b"}),
      doctest::Contains("[tokenizer] unknown kind 'wordpiece' (expected one of word, char, bpe, "
                        "unigram)"),
      ember::Error);
  options.kind = "word";
  options.min_count = 0;
  CHECK_THROWS_WITH_AS(train_tokenizer(options, {"a b"}),
                       doctest::Contains("[tokenizer] min_count must be >= 1"), ember::Error);
  options.min_count = 1;
  options.vocab_size = -1;
  CHECK_THROWS_WITH_AS(train_tokenizer(options, {"a b"}),
                       doctest::Contains("[tokenizer] vocab_size must be >= 0"), ember::Error);

  CHECK_THROWS_WITH_AS(load_tokenizer(dir.file("absent")),
                       doctest::Contains("[tokenizer] no tokenizer in '"), ember::Error);
  fs::create_directories(dir.file("bad"));
  std::ofstream(dir.file("bad") + "/tokenizer.json") << "[1, 2";
  CHECK_THROWS_WITH_AS(load_tokenizer(dir.file("bad")),
                       doctest::Contains("tokenizer.json': not valid JSON"), ember::Error);
  std::ofstream(dir.file("bad") + "/tokenizer.json", std::ios::trunc) << "[1, 2]";
  CHECK_THROWS_WITH_AS(load_tokenizer(dir.file("bad")),
                       doctest::Contains("is not a tokenizer manifest"), ember::Error);
  write_tokenizer_manifest(dir.file("odd"), "morfessor");
  CHECK_THROWS_WITH_AS(load_tokenizer(dir.file("odd")),
                       doctest::Contains("[tokenizer] unknown kind 'morfessor' in '"),
                       ember::Error);
  write_tokenizer_manifest(dir.file("no_vocab"), "char");
  CHECK_THROWS_WITH_AS(load_tokenizer(dir.file("no_vocab")),
                       doctest::Contains("[vocab] cannot read"), ember::Error);
  std::ofstream(dir.file("file")) << "x";
  CHECK_THROWS_WITH_AS(write_tokenizer_manifest(dir.file("file") + "/sub", "word"),
                       doctest::Contains("[tokenizer] cannot create directory"), ember::Error);
}
