// --log-level and --quiet: spdlog's level set as they are parsed, bad levels and both flags
// refused naming the flags, and both listed by --help.
#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/log_flags.h"

using namespace ember::seq2seq::cli;

namespace {

// Parses `args` with a fresh FlagSet holding the log flags; returns the level they left.
spdlog::level::level_enum level_after(const std::vector<std::string>& args) {
  spdlog::set_level(spdlog::level::info);
  FlagSet flags("ember test", "test");
  add_log_flags(flags);
  flags.parse(args);
  const spdlog::level::level_enum level = spdlog::get_level();
  spdlog::set_level(spdlog::level::info);
  return level;
}

}  // namespace

TEST_CASE("--log-level sets the level by name, --quiet is warn, none leaves info") {
  CHECK(level_after({"--log-level", "trace"}) == spdlog::level::trace);
  CHECK(level_after({"--log-level=debug"}) == spdlog::level::debug);
  CHECK(level_after({"--log-level", "warn"}) == spdlog::level::warn);
  CHECK(level_after({"--log-level", "error"}) == spdlog::level::err);
  CHECK(level_after({"--log-level", "off"}) == spdlog::level::off);
  CHECK(level_after({"--quiet"}) == spdlog::level::warn);
  CHECK(level_after({}) == spdlog::level::info);
  for (const std::string& name : log_level_names().names())
    CHECK(log_level_names().name(log_level_names().parse(name)) == name);
}

TEST_CASE("an unknown level, or --quiet with --log-level, is refused naming the flags") {
  CHECK_THROWS_WITH_AS(
      level_after({"--log-level", "loud"}),
      doctest::Contains(
          "[flags] --log-level expects one of trace|debug|info|warn|error|off, got 'loud'"),
      ember::Error);
  CHECK_THROWS_WITH_AS(level_after({"--log-level", "WARN"}), doctest::Contains("got 'WARN'"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(level_after({"--quiet", "--log-level", "debug"}),
                       doctest::Contains("[flags] give --quiet or --log-level, not both"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(level_after({"--log-level", "debug", "--quiet"}),
                       doctest::Contains("[flags] give --log-level or --quiet, not both"),
                       ember::Error);
  spdlog::set_level(spdlog::level::info);
}

TEST_CASE("help lists both flags, with the level in force") {
  FlagSet flags("ember test", "test");
  add_log_flags(flags);
  const std::string help = flags.help();
  CHECK(help.find("--log-level trace|debug|info|warn|error|off") != std::string::npos);
  CHECK(help.find("from this level up [info]") != std::string::npos);
  CHECK(help.find("--quiet") != std::string::npos);
}
