#include "ember/core/regular_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "ember/core/error.h"
#include "support/files.h"

using ember::core::read_regular_file;
using ember::testing::TempDir;

TEST_CASE("read_regular_file reads a file, or through a link to one, byte for byte") {
  TempDir dir("regular_file");
  ember::testing::write_file(dir.file("bytes.bin"), std::string("a\0b\r\n", 5));
  CHECK(read_regular_file(dir.file("bytes.bin"), "[op]") == std::string("a\0b\r\n", 5));
  std::filesystem::create_symlink(dir.file("bytes.bin"), dir.file("link"));
  CHECK(read_regular_file(dir.file("link"), "[op]").size() == 5);
  ember::testing::write_file(dir.file("empty"), "");
  CHECK(read_regular_file(dir.file("empty"), "[op]").empty());
}

TEST_CASE("a path that is no regular file is named for what it is, never read") {
  TempDir dir("regular_file");
  const auto refused = [](const std::string& path, const std::string& what) {
    INFO(path);
    CHECK_THROWS_WITH_AS(read_regular_file(path, "[op]"),
                         doctest::Contains(("[op] cannot read '" + path + "': " + what).c_str()),
                         ember::Error);
  };
  refused(dir.path.string(), "it is a directory");
  refused("/dev/null", "it is not a regular file (a character device)");
  refused("/dev/zero", "it is not a regular file (a character device)");  // would never end
  refused(dir.file("absent"), "it does not exist");
  refused(dir.file("absent/below"), "it does not exist");
  const std::string fifo = dir.file("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  refused(fifo, "it is not a regular file (a FIFO)");  // without the check, open() would block
  std::filesystem::create_symlink("/dev/zero", dir.file("zero_link"));
  refused(dir.file("zero_link"), "it is not a regular file (a character device)");
}
