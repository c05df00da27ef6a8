#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/text_file.h"
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
  CHECK_THROWS_WITH_AS(
      read_lines(missing),
      doctest::Contains(("[read_lines] cannot read '" + missing + "': it does not exist").c_str()),
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
  CHECK_THROWS_WITH_AS(write_lines(dir.path.string(), {"a"}),
                       doctest::Contains("for writing: Is a directory"), ember::Error);
}

TEST_CASE("read_lines: LF, CRLF and a lone CR each end a line") {
  TempDir dir("text_file");
  write_file(dir.file("mac.txt"), "one\rtwo\r\rfour\r");  // classic Mac OS: CR only
  CHECK(read_lines(dir.file("mac.txt")) == std::vector<std::string>{"one", "two", "", "four"});
  write_file(dir.file("mixed.txt"), "a\r\nb\nc\rd\r\r\ne");
  CHECK(read_lines(dir.file("mixed.txt")) ==
        std::vector<std::string>{"a", "b", "c", "d", "", "e"});
  write_file(dir.file("crlf.txt"), "x\r\ny\r\n");
  CHECK(read_lines(dir.file("crlf.txt")) == std::vector<std::string>{"x", "y"});
}

TEST_CASE("split_lines: the rules of read_lines for text from elsewhere, named in errors") {
  CHECK(split_lines("", "<stdin>").empty());
  CHECK(split_lines("a\rb\r\nc\n", "<stdin>") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_lines("\n", "<stdin>") == std::vector<std::string>{""});
  CHECK_THROWS_WITH_AS(split_lines("fine\rbad \xC3(\n", "<stdin>"),
                       doctest::Contains("[read_lines] '<stdin>' line 2: invalid UTF-8 at byte 5"),
                       ember::Error);
}

TEST_CASE("read_lines says what a path that is no regular file is, never reading it") {
  TempDir dir("text_file");
  const auto refused = [](const std::string& path, const std::string& what) {
    INFO(path);
    CHECK_THROWS_WITH_AS(
        read_lines(path),
        doctest::Contains(("[read_lines] cannot read '" + path + "': " + what).c_str()),
        ember::Error);
  };
  refused(dir.path.string(), "it is a directory");
  refused("/dev/null", "it is not a regular file (a character device)");
  refused(dir.file("absent"), "it does not exist");
  const std::string fifo = dir.file("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  refused(fifo, "it is not a regular file (a FIFO)");  // without the check, open() would block
}

TEST_CASE("split_fields keeps empty fields, and an empty line is one empty field") {
  CHECK(split_fields("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(split_fields("a,b,", ',') == std::vector<std::string>{"a", "b", ""});
  CHECK(split_fields("", ',') == std::vector<std::string>{""});
  CHECK(split_fields("x\ty", '\t') == std::vector<std::string>{"x", "y"});
}
