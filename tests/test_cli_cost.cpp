// `ember cost` run as a user runs it: a small sweep writes its report, bad flags are refused.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/cli.h"

namespace fs = std::filesystem;
using ember::testing::Outcome;
using ember::testing::run_ember;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("ember cost: a small sweep prints its findings and writes cost.md, .svg and .csv") {
  const fs::path dir = fs::temp_directory_path() / ("ember_cost_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const Outcome o = run_ember("cost --lengths 4,8 --width 8 --batch 2 --heads 2 --repeats 1 "
                              "--warmup 0 --quiet --out " + dir.string());
  REQUIRE(o.code == 0);
  CHECK(o.contains("lstm: time grows as n^"));
  CHECK(o.contains("attention: time grows as n^"));
  CHECK(o.contains("report: " + dir.string() + "/cost.md"));
  const std::string md = read(dir / "cost.md");
  CHECK(md.find("ember cost --lengths 4,8 --width 8") != std::string::npos);
  CHECK(md.find("## Findings") != std::string::npos);
  CHECK(read(dir / "cost.svg").rfind("<svg", 0) == 0);
  const std::string csv = read(dir / "cost.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 3 * 2);  // header, 3 layers x 2 lengths
  fs::remove_all(dir);
}

TEST_CASE("ember cost: bad flags are one-line errors with exit code 2") {
  const struct {
    const char* args;
    const char* message;
  } cases[] = {
      {"cost --lengths 8,4", "[cost] lengths must increase, got 4 after 8"},
      {"cost --lengths 8,x", "--lengths expects an integer, got 'x'"},
      {"cost --layers lstm,gru", "unknown layer 'gru' (expected one of: lstm, conv, attention)"},
      {"cost --width 10 --heads 4", "[cost] heads must be >= 1 and divide the width 10, got 4"},
      {"cost --kernel 2", "[cost] kernel must be odd and in [3, 63], got 2"},
      {"cost extra", "unexpected argument 'extra'"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    const Outcome o = run_ember(c.args);
    CHECK(o.code == 2);
    CHECK(o.contains(c.message));
  }
  const Outcome help = run_ember("cost --help");
  CHECK(help.code == 0);
  CHECK(help.contains("usage: ember cost"));
  CHECK(help.contains("--lengths N,M,.."));
}
