#include "ember/core/atomic_file.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "ember/core/error.h"
#include "support/files.h"

using ember::testing::read_file;
using ember::testing::TempDir;

TEST_CASE("write_file_atomic writes, replaces, and leaves no temporary behind") {
  TempDir dir("atomic_file");
  const std::string path = dir.file("a.txt");
  ember::core::write_file_atomic(path, "first", "[test]");
  CHECK(read_file(path) == "first");
  ember::core::write_file_atomic(path, std::string(100000, 'x'), "[test]");
  CHECK(read_file(path) == std::string(100000, 'x'));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    CHECK(entry.path().filename() == "a.txt");
    ++files;
  }
  CHECK(files == 1);
}

TEST_CASE("a failed write names the file and the reason, and changes nothing") {
  TempDir dir("atomic_file");
  CHECK_THROWS_WITH_AS(
      ember::core::write_file_atomic(dir.file("missing/a.txt"), "x", "[test]"),
      doctest::Contains(
          ("[test] " + dir.file("missing/a.txt") + ": cannot save: No such file").c_str()),
      ember::Error);
  // A directory in the way: the rename fails, the directory stays, the temporary goes.
  std::filesystem::create_directories(dir.file("taken"));
  CHECK_THROWS_WITH_AS(ember::core::write_file_atomic(dir.file("taken"), "x", "[test]"),
                       doctest::Contains("cannot save"), ember::Error);
  CHECK(std::filesystem::is_directory(dir.file("taken")));
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path)) ++files;
  CHECK(files == 1);
}

TEST_CASE("the temporaries of unfinished writes are recognised by name") {
  using ember::core::is_atomic_temporary;
  CHECK(is_atomic_temporary("last.safetensors.tmp.12345"));
  CHECK(is_atomic_temporary("config.json.tmp.7"));
  CHECK_FALSE(is_atomic_temporary("last.safetensors"));
  CHECK_FALSE(is_atomic_temporary("notes.tmp.txt"));
  CHECK_FALSE(is_atomic_temporary("a.tmp."));
  CHECK_FALSE(is_atomic_temporary(".tmp.12"));
  CHECK_FALSE(is_atomic_temporary("a.tmp.12x"));
}
