// `ember demo summarize` on a tiny data set laid out as AESLC is (<dir>/<split>.tok.{src,tgt}.gz
// and the test split's annotator subjects, test.tok.ann{0,1,2}.gz): the demo trains, writes
// subjects, and scores them against the original subject and, where the annotators' subjects
// are present, against the best of all of them.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ember/seq2seq/data/text_file.h"
#include "support/cli.h"

namespace fs = std::filesystem;
using ember::seq2seq::write_lines;
using ember::testing::Outcome;
using ember::testing::run_ember;

namespace {

const std::vector<std::string> kWords = {"budget", "meeting", "report", "contract", "gas",
                                         "power", "trade", "deal"};
const std::vector<std::string> kNames = {"alice", "bob", "carol", "dave"};

// Email i: a body of ten words; its subject, "<name> update", shares none of them.
std::string body(size_t i) {
  std::string text = "please see the " + kWords[i % kWords.size()];
  for (size_t k = 0; k < 6; ++k) text += " " + kWords[(i + k) % kWords.size()];
  return text;
}

std::string first_words(const std::string& text, int n) {
  size_t end = 0;
  for (int k = 0; k < n && end != std::string::npos; ++k) end = text.find(' ', end + 1);
  return text.substr(0, end);
}

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// Writes the splits; the test split's annotator files only when `annotated`: ann0 is each
// body's first eight words (what lead-8 writes), ann1 and ann2 unrelated words.
void write_corpus(const std::string& dir, bool annotated) {
  for (const auto& [split, n] : {std::pair<std::string, size_t>{"train", 48}, {"valid", 8},
                                 {"test", 8}}) {
    std::vector<std::string> bodies, subjects;
    for (size_t i = 0; i < n; ++i) {
      bodies.push_back(body(i));
      subjects.push_back(kNames[i % kNames.size()] + " update");
    }
    write_lines(dir + "/" + split + ".tok.src.gz", bodies);
    write_lines(dir + "/" + split + ".tok.tgt.gz", subjects);
    if (split == "test" && annotated) {
      std::vector<std::string> leads, other;
      for (const std::string& b : bodies) leads.push_back(first_words(b, 8));
      for (size_t i = 0; i < n; ++i) other.push_back("zzz yyy");
      write_lines(dir + "/test.tok.ann0.gz", leads);
      write_lines(dir + "/test.tok.ann1.gz", other);
      write_lines(dir + "/test.tok.ann2.gz", other);
    }
  }
}

Outcome summarize(const std::string& data, const std::string& run_dir) {
  return run_ember("demo summarize --data " + data + " --run-dir " + run_dir +
                   " --tokenizer char --vocab-size 0 --preset tiny --epochs 1 --batch-tokens 400 "
                   "--warmup 0 --eval-sentences 4 --examples 1 --quiet");
}

}  // namespace

TEST_CASE("demo summarize: scored against the annotators' subjects where they are present") {
  const std::string data = fresh_dir("ember_test_summarize_data");
  write_corpus(data, true);
  const Outcome annotated = summarize(data, data + "/run");
  INFO(annotated.output);
  REQUIRE(annotated.code == 0);
  // lead-8 writes ann0 exactly: against the best of the four subjects it scores 100.
  CHECK(annotated.contains("against the subject and the 3 annotators' (the best of the 4 per "
                           "email), ROUGE-1/2/L F1: lead-8 100.00 / 100.00 / 100.00, ember "));
  // Against the original subject alone it shares no word with it.
  CHECK(annotated.contains("lead-8 baseline ROUGE-1/2/L F1: 0.00 / 0.00 / 0.00\n"));
  CHECK(annotated.contains("\nROUGE-1/2/L F1: "));

  fs::remove(data + "/test.tok.ann1.gz");  // ann0 alone: the files are read up to the first gap
  fs::remove_all(data + "/run");
  const Outcome one = summarize(data, data + "/run");
  CHECK(one.code == 0);
  CHECK(one.contains("against the subject and the 1 annotators' (the best of the 2 per email)"));
  fs::remove_all(data);
}

TEST_CASE("demo summarize: no annotators' line without their files; a short file is refused") {
  const std::string data = fresh_dir("ember_test_summarize_plain");
  write_corpus(data, false);
  const Outcome plain = summarize(data, data + "/run");
  INFO(plain.output);
  REQUIRE(plain.code == 0);
  CHECK_FALSE(plain.contains("annotators'"));
  CHECK(plain.contains("lead-8 baseline ROUGE-1/2/L F1: "));

  write_lines(data + "/test.tok.ann0.gz", {"just one line"});
  fs::remove_all(data + "/run");
  const Outcome short_file = summarize(data, data + "/run");
  CHECK(short_file.code == 2);
  CHECK(short_file.contains("test.tok.ann0.gz has 1 lines for 8 emails of the test split"));
  fs::remove_all(data);
}
