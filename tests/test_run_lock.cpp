#include "ember/seq2seq/train/run_lock.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "ember/core/error.h"
#include "support/files.h"

using ember::seq2seq::RunLock;
using ember::testing::TempDir;

TEST_CASE("a run directory has one holder; the second is refused naming the holder's pid") {
  TempDir dir("run_lock");
  const std::string run = dir.file("run");
  std::optional<RunLock> first;
  first.emplace(run);  // creates the directory
  CHECK(std::filesystem::is_directory(run));
  CHECK(std::filesystem::exists(RunLock::path(run)));
  CHECK_THROWS_WITH_AS(
      RunLock{run},
      doctest::Contains(("[run] " + run + " is in use by another ember process (pid " +
                         std::to_string(getpid()) + ")")
                            .c_str()),
      ember::Error);
  first.reset();
  CHECK_NOTHROW(RunLock{run});
}

TEST_CASE("a lock left by a process that died does not block") {
  TempDir dir("run_lock");
  const std::string run = dir.file("run");
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    RunLock held(run);
    raise(SIGKILL);  // dies holding it, its pid still in the file
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(ember::testing::read_file(RunLock::path(run)) == std::to_string(child) + "\n");
  CHECK_NOTHROW(RunLock{run});
}

TEST_CASE("a run directory that cannot be created is refused naming it") {
  TempDir dir("run_lock");
  ember::testing::write_file(dir.file("file"), "x");
  CHECK_THROWS_WITH_AS(RunLock{dir.file("file/run")},
                       doctest::Contains("[run] cannot create the run directory"), ember::Error);
}
