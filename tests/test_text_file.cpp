#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "seq2seq/data/text_file.h"
#include "support/files.h"

using namespace ember::seq2seq;
namespace fs = std::filesystem;

using ember::testing::read_file;
using ember::testing::TempDir;
using ember::testing::write_file;

TEST_CASE("write_lines and read_lines round-trip plain and gzip files") {
  TempDir dir("text_file");
  const std::vector<std::string> lines = {"ein kleiner hund .", "", "caf\xC3\xA9 \xE4\xB8\xAD",
                                          "last"};
  for (const std::string name : {"a.txt", "a.gz"}) {
    write_lines(dir.file(name), lines);
    CHECK(read_lines(dir.file(name)) == lines);
  }
  const std::string gz = read_file(dir.file("a.gz"));
  REQUIRE(gz.size() >= 2);
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1F);  // gzip magic
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8B);
  CHECK(read_file(dir.file("a.txt")) == "ein kleiner hund .\n\ncaf\xC3\xA9 \xE4\xB8\xAD\nlast\n");
}

TEST_CASE("read_lines recognises gzip by content and handles line endings") {
  TempDir dir("text_file");
  write_lines(dir.file("gz_without_suffix.gz"), {"one", "two"});
  fs::rename(dir.file("gz_without_suffix.gz"), dir.file("renamed.txt"));
  CHECK(read_lines(dir.file("renamed.txt")) == std::vector<std::string>{"one", "two"});
  write_file(dir.file("crlf.txt"), "one\r\ntwo\r\n");
  CHECK(read_lines(dir.file("crlf.txt")) == std::vector<std::string>{"one", "two"});
  write_file(dir.file("no_final_newline.txt"), "one\ntwo");
  CHECK(read_lines(dir.file("no_final_newline.txt")) == std::vector<std::string>{"one", "two"});
  write_file(dir.file("only_newline.txt"), "\n");
  CHECK(read_lines(dir.file("only_newline.txt")) == std::vector<std::string>{""});
}

TEST_CASE("read_lines reads a large gzip file across buffer boundaries") {
  TempDir dir("text_file");
  std::vector<std::string> lines;
  for (int i = 0; i < 60000; ++i) lines.push_back("line number " + std::to_string(i));
  write_lines(dir.file("big.gz"), lines);
  CHECK(read_lines(dir.file("big.gz")) == lines);
}

TEST_CASE("read_lines errors name the file and the line") {
  TempDir dir("text_file");
  const std::string missing = dir.file("missing.gz");
  CHECK_THROWS_WITH_AS(read_lines(missing),
                       doctest::Contains(("[read_lines] cannot open '" + missing).c_str()),
                       ember::Error);
  write_file(dir.file("empty.txt"), "");
  CHECK_THROWS_WITH_AS(read_lines(dir.file("empty.txt")), doctest::Contains("empty.txt' is empty"),
                       ember::Error);
  write_lines(dir.file("empty.gz"), {});
  CHECK_THROWS_WITH_AS(read_lines(dir.file("empty.gz")), doctest::Contains("empty.gz' is empty"),
                       ember::Error);
  write_file(dir.file("bad.txt"), "fine\nalso fine\nbroken \xFF here\n");
  CHECK_THROWS_WITH_AS(read_lines(dir.file("bad.txt")),
                       doctest::Contains("bad.txt' line 3: invalid UTF-8 at byte 8"), ember::Error);
  write_lines(dir.file("bad.gz"), {"ok", "\xC3("});
  CHECK_THROWS_WITH_AS(read_lines(dir.file("bad.gz")),
                       doctest::Contains("bad.gz' line 2: invalid UTF-8 at byte 1"), ember::Error);
}

TEST_CASE("read_lines rejects a corrupt or truncated gzip file") {
  TempDir dir("text_file");
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i) lines.push_back("some text " + std::to_string(i * 7919));
  write_lines(dir.file("full.gz"), lines);
  const std::string bytes = read_file(dir.file("full.gz"));
  write_file(dir.file("truncated.gz"), bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH_AS(read_lines(dir.file("truncated.gz")),
                       doctest::Contains("[read_lines] cannot read"), ember::Error);
  std::string corrupt = bytes;
  for (size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
  write_file(dir.file("corrupt.gz"), corrupt);
  CHECK_THROWS_WITH_AS(read_lines(dir.file("corrupt.gz")),
                       doctest::Contains("[read_lines] cannot read"), ember::Error);
}

TEST_CASE("write_lines errors") {
  TempDir dir("text_file");
  CHECK_THROWS_WITH_AS(write_lines(dir.file("x.txt"), {"ok", "two\nlines"}),
                       doctest::Contains("[write_lines]"), ember::Error);
  CHECK_THROWS_WITH_AS(write_lines(dir.file("no/such/dir/x.txt"), {"a"}),
                       doctest::Contains("[write_lines] cannot open"), ember::Error);
}
