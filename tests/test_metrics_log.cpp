#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/train/metrics_log.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "_" + name))
      .string();
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("metrics rows: header with one column per score, NaN as an empty field") {
  MetricsLog log({"bleu", "chrf"});
  CHECK(log.header() == "step,epoch,loss,lr,tokens_per_s,valid_loss,valid_bleu,valid_chrf");
  const MetricsRow train{100, 1, 2.5, 0.001, 1234.5, NAN, {NAN, NAN}};
  CHECK(log.line(train) == "100,1,2.5,0.001,1234.5,,,");
  const MetricsRow eval{200, 1, NAN, 0.0005, NAN, 1.75, {12.25, 40.0}};
  CHECK(log.line(eval) == "200,1,,0.0005,,1.75,12.25,40");
  CHECK_THROWS_WITH_AS(log.add({1, 0, 1.0, 1.0, 1.0, NAN, {1.0}}),
                       doctest::Contains("[metrics_log]"), ember::Error);
}

TEST_CASE("metrics.csv: append, then load back up to a step, exactly") {
  const std::string path = temp_file("ember_test_metrics.csv");
  std::filesystem::remove(path);
  MetricsLog log({"exact_match"});
  const MetricsRow a{10, 0, 0.1 + 0.2, 1.0 / 3.0, 99.5, NAN, {NAN}};
  const MetricsRow b{20, 1, NAN, 1e-4, NAN, 0.125, {97.3}};
  const MetricsRow c{30, 1, 0.5, 1e-4, 100.0, NAN, {NAN}};
  log.append(path, a);
  log.append(path, b);
  log.append(path, c);
  CHECK(read_all(path).rfind(log.header() + "\n10,0,", 0) == 0);

  MetricsLog back({"exact_match"});
  back.load(path, 20);  // a resumed run's checkpoint was at step 20
  REQUIRE(back.rows().size() == 2);
  CHECK(back.rows()[0].loss == 0.1 + 0.2);  // shortest round-trip printing
  CHECK(back.rows()[0].lr == 1.0 / 3.0);
  CHECK(std::isnan(back.rows()[0].valid_loss));
  CHECK(back.rows()[1].scores[0] == 97.3);
  back.write(path);
  CHECK(read_all(path) == log.header() + "\n" + log.line(a) + "\n" + log.line(b) + "\n");
  std::filesystem::remove(path);
}

TEST_CASE("damaged rows of metrics.csv, or another run's, are dropped and named, never fatal") {
  const std::string path = temp_file("ember_test_metrics_bad.csv");
  MetricsLog bleu({"bleu"});
  bleu.append(path, {1, 0, 1.0, 1.0, 1.0, NAN, {NAN}});
  MetricsLog rouge({"rouge1"});
  std::vector<std::string> dropped = rouge.load(path, 100);
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0].find("every row dropped") != std::string::npos);
  CHECK(rouge.rows().empty());
  {
    std::ofstream out(path, std::ios::app);
    out << "2,0,abc,1,1,,\n";    // a field that is not a number
    out << "3,0,1,1,1\n";        // too few fields
    out << "4,0,2.5,1,1,,\n";    // fine
    out << "5,0,2.";             // cut off by a kill mid-append
  }
  dropped = bleu.load(path, 100);
  REQUIRE(dropped.size() == 3);
  CHECK(dropped[0].find("line 3") != std::string::npos);
  CHECK(dropped[1].find("line 4 has 5 fields, expected 7") != std::string::npos);
  CHECK(dropped[2].find("line 6") != std::string::npos);
  REQUIRE(bleu.rows().size() == 2);
  CHECK(bleu.rows()[0].step == 1);
  CHECK(bleu.rows()[1].step == 4);
  CHECK(bleu.rows()[1].loss == 2.5);
  std::filesystem::remove(path);
  CHECK_THROWS_WITH_AS(bleu.load(path, 100), doctest::Contains("cannot read"), ember::Error);
}

TEST_CASE("curves: loss and score charts from the rows") {
  MetricsLog log({"bleu"});
  log.add({10, 0, 3.0, 1e-3, 100.0, NAN, {NAN}});
  log.add({20, 0, 2.0, 1e-3, 100.0, NAN, {NAN}});
  log.add({20, 0, NAN, 1e-3, NAN, 2.2, {15.0}});
  const std::string svg = log.curves_svg();
  CHECK(svg.find(">loss</text>") != std::string::npos);
  CHECK(svg.find(">validation scores</text>") != std::string::npos);
  CHECK(svg.find(">bleu</text>") != std::string::npos);
  CHECK(svg.find("<polyline") != std::string::npos);  // the train loss
  CHECK(svg.find("<circle") != std::string::npos);    // one validation point
}
