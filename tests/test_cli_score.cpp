// `ember score` run as a user runs it, against sacreBLEU 2.6.0's command-line output on the edge
// cases of tests/data/sacrebleu (expected.txt: 40 cases, BLEU with every tokenizer and smoothing,
// chrF/chrF++ options, TER options, sentence level, JSON; one and two references): the same lines
// to the byte, the version field aside. Resampling (expected_bootstrap.txt) agrees within
// resampling noise, as ember draws its own resamples.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "ember/seq2seq/seq2seq.h"
#include "support/cli.h"
#include "support/files.h"
#include "support/sacrebleu_fixtures.h"

using ember::testing::run_ember;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// sacreBLEU's version field (in a signature, and as a JSON value) becomes ember's.
std::string replace_version(std::string text) {
  const std::string ember = std::string("ember-") + ember::seq2seq::version();
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"version:2.6.0", "version:" + ember},
        {"\"version\": \"2.6.0\"", "\"version\": \"" + ember + "\""}})
    for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
      text.replace(pos, from.size(), to);
  return text;
}

std::string fixture(const std::string& name) {
  return "'" + (ember::testing::sacrebleu_fixtures() / name).string() + "'";
}

// The numbers of a line after its signature (if any), in order.
std::vector<double> numbers(std::string line) {
  if (line.find(" = ") != std::string::npos) line = line.substr(line.find(" = "));
  std::vector<double> out;
  const std::regex number(R"([0-9]+\.[0-9]+)");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), number);
       it != std::sregex_iterator(); ++it)
    out.push_back(std::stod(it->str()));
  return out;
}

}  // namespace

TEST_CASE("ember score prints sacreBLEU's lines on the edge cases, to the byte") {
  const std::vector<std::string> expected = lines_of(ember::testing::read_fixture("expected.txt"));
  int cases = 0;
  for (size_t i = 0; i < expected.size();) {
    REQUIRE(expected[i].rfind("$ ", 0) == 0);
    // "$ <refs> | <metrics> | <flags>"
    const std::string header = expected[i].substr(2);
    const size_t bar1 = header.find(" | "), bar2 = header.find(" | ", bar1 + 3);
    std::string refs;
    std::stringstream ref_words(header.substr(0, bar1));
    for (std::string ref; ref_words >> ref;) refs += fixture(ref) + " ";
    const std::string metrics = header.substr(bar1 + 3, bar2 - bar1 - 3);
    const std::string flags = header.substr(bar2 + 3);
    std::string want;
    for (++i; i < expected.size() && expected[i].rfind("$ ", 0) != 0; ++i)
      want += replace_version(expected[i]) + "\n";
    const auto out = run_ember("score " + refs + "--input " + fixture("hyp.txt") + " --metrics " +
                               metrics + " --width 4 --log-level off " + flags);
    INFO(header);
    CHECK(out.code == 0);
    CHECK(out.output == want);
    ++cases;
  }
  CHECK(cases == 40);
}

TEST_CASE("ember score --confidence and --paired-bs agree with sacreBLEU within resampling noise") {
  const std::vector<std::string> expected =
      lines_of(ember::testing::read_fixture("expected_bootstrap.txt"));
  // Lines 1-3: BLEU, chrF2, TER with (μ = mean ± ci); the table's rows 8 and 10-11.
  const auto ci = run_ember("score " + fixture("ref1.txt") + " --input " + fixture("hyp.txt") +
                            " --metrics bleu,chrf,ter --confidence --width 4 --log-level off");
  REQUIRE(ci.code == 0);
  const std::vector<std::string> got = lines_of(ci.output);
  REQUIRE(got.size() == 3);
  for (int m = 0; m < 3; ++m) {
    INFO(got[m]);
    // The signature carries bs:1000|seed:12345 as sacreBLEU's does.
    CHECK(got[m].find("|bs:1000|seed:12345|") != std::string::npos);
    const std::vector<double> want = numbers(expected[1 + m]), have = numbers(got[m]);
    REQUIRE(have.size() >= 3);
    CHECK(have[0] == want[0]);                            // the actual score: exact
    CHECK(std::abs(have[1] - want[1]) < 1.0);             // bootstrap mean
    CHECK(std::abs(have[2] - want[2]) < 0.15 * want[2]);  // 95% half-interval
  }
  const auto paired = run_ember("score " + fixture("ref1.txt") + " --input " + fixture("hyp.txt") +
                                "," + fixture("hyp2.txt") +
                                " --metrics bleu,chrf,ter --paired-bs --width 4 --log-level off");
  REQUIRE(paired.code == 0);
  const std::vector<std::string> table = lines_of(paired.output);
  // The header row, from the first metric on (the system names are paths here).
  CHECK(table[1].substr(table[1].find("BLEU")) == expected[6].substr(expected[6].find("BLEU")));
  CHECK(paired.contains("Paired bootstrap resampling test with 1000 resampling trials"));
  CHECK(paired.contains(" - BLEU       nrefs:1|bs:1000|seed:12345|case:mixed|eff:no|tok:13a|"));
  const std::vector<double> want_p = numbers(expected[11]), have_p = numbers(table[6]);
  REQUIRE(want_p.size() == 3);
  REQUIRE(have_p.size() == 3);
  for (int m = 0; m < 3; ++m) CHECK(std::abs(have_p[m] - want_p[m]) < 0.03);
  const std::vector<double> want_row = numbers(expected[10]), have_row = numbers(table[5]);
  REQUIRE(have_row.size() == 9);
  for (int k = 0; k < 9; k += 3) CHECK(have_row[k] == want_row[k]);  // actual scores: exact
}

TEST_CASE("a system scored against itself: sacreBLEU's p-value 1/(n+1), zero interval widths") {
  // d_k = 0 for every resample, so no centred difference exceeds the actual one (0): p = 1/101.
  ember::testing::TempDir dir("ember_score_test");
  const std::string copy = (dir.path / "copy.txt").string();
  ember::testing::write_file(copy, ember::testing::read_fixture("hyp.txt"));
  const auto out =
      run_ember("score " + fixture("ref1.txt") + " --input " + fixture("hyp.txt") + ",'" + copy +
                "' --metrics chrf --paired-bs --paired-bs-n 100 " + "--log-level off");
  REQUIRE(out.code == 0);
  CHECK(out.contains("(p = 0.0099)*"));
  // One segment repeated: every resample is the same corpus.
  const std::string ref = (dir.path / "ref.txt").string(), hyp = (dir.path / "hyp.txt").string();
  ember::testing::write_file(ref, "a b c d\na b c d\n");
  ember::testing::write_file(hyp, "a b c x\na b c x\n");
  const auto same =
      run_ember("score '" + ref + "' --input '" + hyp + "' --metrics chrf --confidence");
  CHECK(same.code == 0);
  CHECK(same.contains("(μ = "));
  CHECK(same.contains(" ± 0.0)"));
}

TEST_CASE("ember score reads stdin, scores ROUGE, and refuses what it cannot score") {
  ember::testing::TempDir dir("ember_score_test");
  const std::string ref = (dir.path / "ref.txt").string();
  const std::string short_ref = (dir.path / "short.txt").string();
  ember::testing::write_file(ref, "the cat sat on the mat\nhello world\n");
  ember::testing::write_file(short_ref, "the cat\n");
  const auto stdin_run = run_ember("score '" + ref + "' --metrics rouge --width 2",
                                   "the cat sat on a mat\\nhello world\\n");
  CHECK(stdin_run.code == 0);
  // rouge-score: ROUGE-1 P = R = 5/6 and 1, mean F (0.8333 + 1) / 2.
  CHECK(stdin_run.contains("ROUGE-1|nrefs:1|case:lc|tok:rouge-score|stem:no|version:ember-"));
  CHECK(stdin_run.contains(" = 91.67 (P = 91.7 R = 91.7)"));
  // --rouge-stem: rouge-score's use_stemmer, so "meeting" meets "Meetings" (1/3 -> 3/3).
  const std::string subject = (dir.path / "subject.txt").string();
  ember::testing::write_file(subject, "Meetings scheduled today\n");
  const auto plain =
      run_ember("score '" + subject + "' --metrics rouge --width 2", "meeting schedule today\\n");
  CHECK(plain.contains("ROUGE-1|nrefs:1|case:lc|tok:rouge-score|stem:no|version:ember-"));
  CHECK(plain.contains(" = 33.33 (P = 33.3 R = 33.3)"));
  const auto stemmed = run_ember("score '" + subject + "' --metrics rouge --width 2 --rouge-stem",
                                 "meeting schedule today\\n");
  CHECK(stemmed.code == 0);
  CHECK(stemmed.contains("ROUGE-1|nrefs:1|case:lc|tok:rouge-score|stem:porter|version:ember-"));
  CHECK(stemmed.contains(" = 100.00 (P = 100.0 R = 100.0)"));
  const auto mismatch = run_ember("score '" + short_ref + "' --input '" + ref + "'");
  CHECK(mismatch.code == 2);
  CHECK(mismatch.contains(ref + " has 2 lines but reference " + short_ref + " has 1"));
  const auto unknown = run_ember("score '" + ref + "' --input '" + ref + "' --metrics meteor");
  CHECK(unknown.code == 2);
  CHECK(unknown.contains("unknown metric 'meteor'"));
  const auto two_metrics =
      run_ember("score '" + ref + "' --input '" + ref + "' --metrics bleu,chrf --sentence-level");
  CHECK(two_metrics.code == 2);
  CHECK(two_metrics.contains("--sentence-level takes one metric"));
  const auto one_system = run_ember("score '" + ref + "' --input '" + ref + "' --paired-bs");
  CHECK(one_system.code == 2);
  CHECK(one_system.contains("--paired-bs needs two or more --input files"));
  const auto json_pair =
      run_ember("score '" + ref + "' --input '" + ref + "','" + short_ref + "' --format json");
  CHECK(json_pair.code == 2);
  CHECK(json_pair.contains("--format json is for the corpus scores of one system"));
  const auto no_refs = run_ember("score --input '" + ref + "'");
  CHECK(no_refs.code == 2);
  CHECK(no_refs.contains("give one or more reference files"));
  const auto bad_tok = run_ember("score '" + ref + "' --input '" + ref + "' --tokenize v14");
  CHECK(bad_tok.code == 2);
  const auto help = run_ember("score --help");
  CHECK(help.code == 0);
  CHECK(help.contains("--paired-bs"));
  CHECK(help.contains("--tokenize"));
}
