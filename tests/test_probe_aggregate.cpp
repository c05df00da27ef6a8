#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/lab/probe_aggregate.h"

using namespace ember::seq2seq::lab;
namespace fs = std::filesystem;

namespace {

const std::string kHeader = "task,model,bucket,first,last,count,exact,tokens,contrastive\n";

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("probe.csv reads back, with and without the contrastive column") {
  const auto rows = parse_probe_csv(kHeader +
                                        "agreement,lstm,1,1,1,60,0.500000,0.900000,0.750000\n"
                                        "agreement,lstm,2-3,2,3,60,0.25,0.8,\n",
                                    "a.csv");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].bucket == "1");
  CHECK(rows[0].count == 60);
  CHECK(rows[0].contrastive == 0.75);
  CHECK(rows[1].first == 2);
  CHECK(rows[1].last == 3);
  CHECK(std::isnan(rows[1].contrastive));
  const auto old = parse_probe_csv(
      "task,model,bucket,first,last,count,exact,tokens\ncopy,lstm,5-20,5,20,80,0.000000,0.038556\n",
      "old.csv");
  REQUIRE(old.size() == 1);
  CHECK(std::isnan(old[0].contrastive));
}

TEST_CASE("a damaged probe.csv is refused naming the file, the line and the fault") {
  const struct {
    std::string text;
    const char* message;
  } cases[] = {
      {"task,model\n", "x.csv line 1: expected the header"},
      {"", "x.csv line 1: expected the header"},
      {kHeader + "copy,lstm,1,1,1,60,0.5,0.9\n", "x.csv line 2: expected 9 fields, got 8"},
      {kHeader + "copy,lstm,1,1,1,60,1.5,0.9,\n", "x.csv line 2: exact must be in [0, 1], got 1.5"},
      {kHeader + "copy,lstm,1,1,1,60,nan,0.9,\n", "exact expects"},
      {kHeader + "copy,lstm,1,1,1,-4,0.5,0.9,\n", "x.csv line 2: count must be >= 0, got -4"},
      {kHeader + "copy,lstm,1,3,1,60,0.5,0.9,\n", "x.csv line 2: first 3 is past last 1"},
      {kHeader + ",lstm,1,1,1,60,0.5,0.9,\n", "x.csv line 2: empty task, model or bucket"},
      {kHeader + "copy,lstm,1,1,x,60,0.5,0.9,\n", "last expects an integer"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK_THROWS_WITH_AS(parse_probe_csv(c.text, "x.csv"), doctest::Contains(c.message),
                         ember::Error);
  }
}

TEST_CASE("aggregate: mean and sample standard deviation per cell, over the runs holding it") {
  const auto a = parse_probe_csv(kHeader + "agreement,lstm,1,1,1,8,0.2,0.9,0.5\n"
                                           "agreement,tf,1,1,1,8,1,1,1\n",
                                 "a");
  const auto b = parse_probe_csv(kHeader + "agreement,lstm,1,1,1,8,0.6,0.9,0.7\n", "b");
  const auto c = parse_probe_csv(kHeader + "agreement,lstm,1,1,1,8,0.4,0.9,0.9\n", "c");
  const auto table = aggregate_probe_rows({a, b, c});
  REQUIRE(table.size() == 2);
  CHECK(table[0].model == "lstm");
  CHECK(table[0].runs == 3);
  CHECK(table[0].exact.mean == doctest::Approx(0.4));
  CHECK(table[0].exact.std == doctest::Approx(0.2));  // sqrt((0.04 + 0.04 + 0) / 2)
  CHECK(table[0].contrastive.mean == doctest::Approx(0.7));
  CHECK(table[0].tokens.std == doctest::Approx(0.0));
  CHECK(table[1].model == "tf");
  CHECK(table[1].runs == 1);
  CHECK(table[1].exact.std == 0.0);
  CHECK_THROWS_WITH_AS(aggregate_probe_rows({parse_probe_csv(
                           kHeader + "copy,lstm,1,1,1,8,0,0,\ncopy,lstm,1,1,1,8,0,0,\n", "d")}),
                       doctest::Contains("run 1 holds copy / lstm / bucket 1 twice"),
                       ember::Error);
}

TEST_CASE("the aggregate report: tables of mean ± std with the run counts, CSV and figure") {
  const fs::path dir = fs::temp_directory_path() / ("ember_aggregate_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const auto a = parse_probe_csv(kHeader + "agreement,lstm,1,1,1,8,0.2,0.9,0.5\n"
                                           "agreement,lstm,2,2,2,8,0.1,0.9,0.5\n",
                                 "a");
  const auto b = parse_probe_csv(kHeader + "agreement,lstm,1,1,1,8,0.6,0.9,0.7\n", "b");
  write_probe_aggregate(aggregate_probe_rows({a, b}), {"runs/a", "runs/b"}, dir.string(),
                        "ember probe --aggregate runs/a,runs/b");
  const std::string md = read_text(dir / "aggregate.md");
  CHECK(md.find("`ember probe --aggregate runs/a,runs/b`") != std::string::npos);
  CHECK(md.find("## Contrastive: the right form preferred") != std::string::npos);
  CHECK(md.find("| task | model | 1 | 2 | runs |") != std::string::npos);
  CHECK(md.find("| agreement | lstm | 0.60 ± 0.14 | 0.50 ± 0.00 | 2 |") != std::string::npos);
  CHECK(md.find("| agreement | lstm | 0.40 ± 0.28 | 0.10 ± 0.00 | 2 |") != std::string::npos);
  const std::string csv = read_text(dir / "aggregate.csv");
  CHECK(csv.find("agreement,lstm,2,2,2,1,0.100000,0.000000,") != std::string::npos);
  CHECK(read_text(dir / "aggregate.svg").find("agreement: contrastive, mean over the runs") !=
        std::string::npos);
  fs::remove_all(dir);
}
