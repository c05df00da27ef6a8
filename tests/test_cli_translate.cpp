// `ember translate` as a user runs it (issue 19, items 2 and 5): n-best lists in Marian's format,
// per-sentence model scores, the speed report, batches restored to the input order, forced
// decoding (--score) and detokenization (--detokenize), on tiny runs trained here.
#include <doctest/doctest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "ember/seq2seq/data/detokenizer.h"
#include "support/cli.h"

namespace fs = std::filesystem;

namespace {

using ember::testing::Outcome;

Outcome run(const std::string& args, const std::string& input = "") {
  return ember::testing::run_ember(args, input);
}

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir.string();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_file(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const std::string& line : lines) out << line << '\n';
}

// A date model good enough to prefer its own outputs: 3,000 dates, 8 epochs (10 s on 2 shared
// cores; 100% exact match on its validation dates).
constexpr const char* kDatesRun =
    "train --builtin dates --dates-train-size 3000 --tokenizer char --vocab-size 0 --arch "
    "rnn_attention --preset tiny --embedding-dim 16 --hidden-size 64 --epochs 8 --batch-tokens "
    "1000 --lr 5e-3 --schedule constant --warmup 0 --metric exact --eval-sentences 50 --quiet "
    "--run-dir ";

// Dates of different lengths, so that length-sorted batches reorder them.
const std::vector<std::string> kDates = {
    "3 march 1998", "tuesday, 25 december 2001",  "12/25/99", "may 5, 2010",
    "1 jan 2000",   "saturday, 14 february 2015", "07/04/76", "20 october 1985",
    "31.12.1999",   "monday, 1 june 1970"};

std::string dates_input() {
  std::string input;
  for (const std::string& d : kDates) input += d + "\\n";
  return input;
}

struct DatesRun {
  std::string dir = fresh_dir("ember_test_cli_translate");
  DatesRun() {
    const Outcome trained = run(kDatesRun + dir);
    INFO(trained.output);
    REQUIRE(trained.code == 0);
  }
  ~DatesRun() { fs::remove_all(dir); }
  std::string translate(const std::string& flags) const {
    return "translate --run " + dir + " " + flags;
  }
};

// Trained once for all the subcases (doctest runs a test case again for each subcase).
const DatesRun& dates_run() {
  static const DatesRun trained;
  return trained;
}

double number(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

}  // namespace

TEST_CASE("translate --help documents the output formats and the new flags") {
  const Outcome help = run("translate --help");
  CHECK(help.code == 0);
  for (const char* text : {"--n-best K", "--print-scores", "--detokenize en|de|fr",
                           "--uppercase-first", "--score FILE", "--normalize", "--batch-tokens N",
                           "'<id> ||| <translation> ||| F0= <log P> |||", "sentences/s"}) {
    INFO(text);
    CHECK(help.contains(text));
  }
}

TEST_CASE("translate: n-best lists, scores, speed report, input order whatever the batches") {
  const DatesRun& dates = dates_run();
  const std::vector<std::string> best =
      lines_of(run(dates.translate("--beam 4 --quiet"), dates_input()).output);
  REQUIRE(best.size() == kDates.size());

  SUBCASE("--n-best K: K lines a sentence in Marian's format, best first, ids from 0") {
    const Outcome o = run(dates.translate("--beam 4 --n-best 3 --quiet"), dates_input());
    CHECK(o.code == 0);
    const std::vector<std::string> lines = lines_of(o.output);
    REQUIRE(lines.size() == 3 * kDates.size());
    const std::regex format(
        R"(^(\d+) \|\|\| (.*) \|\|\| F0= (-?\d+\.\d{6}) \|\|\| (-?\d+\.\d{6})$)");
    for (size_t i = 0; i < lines.size(); ++i) {
      INFO(lines[i]);
      std::smatch m;
      REQUIRE(std::regex_match(lines[i], m, format));
      CHECK(std::stoul(m[1]) == i / 3);
      CHECK(number(m[3]) <= 0.0);
      if (i % 3 == 0) {
        CHECK(m[2] == best[i / 3]);  // the first entry is the 1-best translation
      } else {
        std::smatch previous;
        REQUIRE(std::regex_match(lines[i - 1], previous, format));
        CHECK(number(previous[4]) >= number(m[4]));  // best first, by the search's score
        CHECK(previous[2] != m[2]);
      }
    }
    const Outcome too_many = run(dates.translate("--beam 2 --n-best 3"), "3 march 1998\\n");
    CHECK(too_many.code == 2);
    CHECK(too_many.lines() == 1);
    CHECK(too_many.contains(
        "[flags] --n-best must be in [1, --beam] (the list is the beam's best: --beam 2 gives at "
        "most 2), got 3"));
    CHECK(run(dates.translate("--n-best 0"), "3 march 1998\\n").contains("got 0"));
    CHECK(run(dates.translate("--n-best x"), "").contains("--n-best expects an integer"));
  }

  SUBCASE("--print-scores: the log P, a tab, the translation") {
    const std::vector<std::string> lines =
        lines_of(run(dates.translate("--beam 4 --print-scores --quiet"), dates_input()).output);
    REQUIRE(lines.size() == kDates.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      const size_t tab = lines[i].find('\t');
      REQUIRE(tab != std::string::npos);
      CHECK(number(lines[i].substr(0, tab)) < 0.0);
      CHECK(lines[i].substr(tab + 1) == best[i]);
    }
  }

  SUBCASE("the speed report on stderr, silent under --quiet") {
    const Outcome o = run(dates.translate("--beam 4"), dates_input());
    CHECK(o.code == 0);
    CHECK(o.lines() == static_cast<int>(kDates.size()) + 1);
    const std::regex report(
        R"(translated 10 sentences \((\d+) source, (\d+) target tokens\) in \d+\.\d\d s: )"
        R"(\d+\.\d sentences/s, \d+ source and \d+ target tokens/s)");
    std::smatch m;
    REQUIRE(std::regex_search(o.output, m, report));
    int64_t source_chars = 0;
    for (const std::string& d : kDates) source_chars += static_cast<int64_t>(d.size());
    CHECK(std::stoll(m[1]) == source_chars);  // char tokens, </s> not counted
    int64_t target_chars = 0;
    for (const std::string& b : best) target_chars += static_cast<int64_t>(b.size());
    CHECK(std::stoll(m[2]) == target_chars);
    CHECK_FALSE(run(dates.translate("--beam 4 --quiet"), dates_input()).contains("sentences/s"));
  }

  SUBCASE("length-sorted batches come back in the input order: batched = one at a time") {
    for (const char* flags :
         {"--beam 4 --batch-tokens 1 --quiet", "--beam 4 --batch-tokens 60 --quiet"}) {
      INFO(flags);
      CHECK(lines_of(run(dates.translate(flags), dates_input()).output) == best);
    }
    for (size_t i = 0; i < kDates.size(); ++i) {
      INFO(kDates[i]);
      CHECK(lines_of(run(dates.translate("--beam 4 --quiet"), kDates[i] + "\\n").output) ==
            std::vector<std::string>{best[i]});
    }
  }

  SUBCASE("--score: the log P of given targets; the model's own output scores its greedy sum") {
    const std::string sources = dates.dir + "/sources.txt";
    const std::string targets = dates.dir + "/targets.txt";
    const std::string wrong = dates.dir + "/wrong.txt";
    write_file(sources, kDates);
    const std::vector<std::string> greedy =
        lines_of(run(dates.translate("--print-scores --quiet --input " + sources)).output);
    REQUIRE(greedy.size() == kDates.size());
    std::vector<std::string> outputs, others;
    for (const std::string& line : greedy) outputs.push_back(line.substr(line.find('\t') + 1));
    for (size_t i = 0; i < outputs.size(); ++i) others.push_back(outputs[(i + 1) % outputs.size()]);
    write_file(targets, outputs);
    write_file(wrong, others);
    const Outcome scored = run(dates.translate("--input " + sources + " --score " + targets));
    INFO(scored.output);
    CHECK(scored.code == 0);
    CHECK(scored.contains("scored 10 targets ("));
    const std::vector<std::string> own =
        lines_of(run(dates.translate("--quiet --input " + sources + " --score " + targets)).output);
    const std::vector<std::string> contrast =
        lines_of(run(dates.translate("--quiet --score " + wrong), dates_input()).output);
    const std::vector<std::string> normalized = lines_of(
        run(dates.translate("--quiet --normalize --input " + sources + " --score " + targets))
            .output);
    REQUIRE(own.size() == kDates.size());
    REQUIRE(contrast.size() == kDates.size());
    REQUIRE(normalized.size() == kDates.size());
    for (size_t i = 0; i < kDates.size(); ++i) {
      INFO(kDates[i], " -> ", outputs[i], " / ", others[i]);
      // Outputs that ended with </s> (all of them, for a model that learned 10-character dates):
      // forced decoding gives what greedy search summed step by step.
      CHECK(number(own[i]) == doctest::Approx(number(greedy[i])).epsilon(1e-4));
      if (outputs[i] != others[i]) CHECK(number(own[i]) > number(contrast[i]));  // contrastive
      CHECK(number(normalized[i]) ==
            doctest::Approx(number(own[i]) / static_cast<double>(outputs[i].size() + 1))
                .epsilon(1e-4));
    }
  }

  SUBCASE("--score refusals: each names the flag or the file") {
    const std::string one = dates.dir + "/one.txt";
    write_file(one, {"1998-03-03"});
    const auto fails_with = [&](const std::string& flags, const std::string& input,
                                const std::string& text) {
      const Outcome o = run(dates.translate(flags), input);
      INFO(flags, " -> ", o.output);
      CHECK(o.code == 2);
      CHECK(o.lines() == 1);
      CHECK(o.contains(text));
    };
    fails_with("--score " + one, "3 march 1998\\n1 jan 2000\\n",
               "[translate] --score " + one + " has 1 lines for 2 source lines");
    fails_with("--score " + one + " --n-best 1", "3 march 1998\\n",
               "[flags] --score scores the given targets without decoding: it takes no --n-best");
    fails_with("--score " + one + " --beam 4", "3 march 1998\\n", "it takes no --beam");
    fails_with("--score " + one + " --detokenize en", "3 march 1998\\n",
               "it takes no --detokenize");
    fails_with("--score -", "3 march 1998\\n", "--score - and --input - would both read stdin");
    fails_with("--normalize", "3 march 1998\\n", "[flags] --normalize applies to --score only");
    fails_with("--uppercase-first", "3 march 1998\\n",
               "[flags] --uppercase-first applies with --detokenize LANG only");
    fails_with("--detokenize it", "", "--detokenize expects one of en|de|fr, got 'it'");
    fails_with("--score " + one, "\\n", "[score_targets] line 1: the source has no tokens");
  }
}

TEST_CASE("translate at a terminal: each typed line answered, n-best ids counting the lines") {
  // script(1) (util-linux, Debian's bsdutils) runs the program on a pseudo-terminal.
  REQUIRE(std::system("command -v script > /dev/null") == 0);
  const DatesRun& dates = dates_run();
  const std::string command = "printf '3 march 1998\\n12/25/99\\n' | script -qec \"'" +
                              ember::testing::ember_path() + "' " +
                              dates.translate("--beam 4 --n-best 2") + "\" /dev/null";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer;
  for (size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    output.append(buffer.data(), n);
  CHECK(pclose(pipe) == 0);
  INFO(output);
  const std::regex entry(R"((\d+) \|\|\| [^|]* \|\|\| F0= -?\d+\.\d{6} \|\|\| -?\d+\.\d{6})");
  std::vector<std::string> ids;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), entry);
       it != std::sregex_iterator(); ++it)
    ids.push_back((*it)[1]);
  CHECK(ids == std::vector<std::string>{"0", "0", "1", "1"});
  CHECK(output.find("sentences/s") == std::string::npos);  // no speed report at a terminal
}

TEST_CASE("translate --detokenize: word-tokenized outputs joined by Moses' rules") {
  // A word-level model that memorises a few tokenized English sentences.
  const std::string dir = fresh_dir("ember_test_cli_detok");
  const std::string data = dir + "/data";
  fs::create_directories(data);
  const std::vector<std::string> sources = {"a b", "c d", "e f", "g h"};
  const std::vector<std::string> targets = {"i 'm calm .", "he 's here , isn 't he ?",
                                            "it costs $ 5 ( about 4 ) .",
                                            "\" hello , \" he said ."};
  std::vector<std::string> src, tgt;
  for (int repeat = 0; repeat < 50; ++repeat) {
    src.insert(src.end(), sources.begin(), sources.end());
    tgt.insert(tgt.end(), targets.begin(), targets.end());
  }
  write_file(data + "/train.x", src);
  write_file(data + "/train.y", tgt);
  const Outcome trained =
      run("train --data " + data +
          " --src x --tgt y --valid-split train --test-split train --tokenizer word --vocab-size 0 "
          "--arch rnn_attention --preset tiny --embedding-dim 16 --hidden-size 32 --epochs 8 "
          "--batch-tokens 200 --lr 1e-2 --schedule constant --warmup 0 --metric exact "
          "--eval-sentences 4 --quiet --run-dir " +
          dir + "/run");
  INFO(trained.output);
  REQUIRE(trained.code == 0);
  const std::string input = "a b\\nc d\\ne f\\ng h\\n";
  const std::string translate = "translate --quiet --run " + dir + "/run";
  const std::vector<std::string> plain = lines_of(run(translate, input).output);
  const std::vector<std::string> joined =
      lines_of(run(translate + " --detokenize en", input).output);
  const std::vector<std::string> cased =
      lines_of(run(translate + " --detokenize en --uppercase-first", input).output);
  REQUIRE(plain.size() == 4);
  REQUIRE(joined.size() == 4);
  REQUIRE(cased.size() == 4);
  int changed = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    INFO(plain[i]);
    using ember::seq2seq::DetokenizerLanguage;
    CHECK(joined[i] == ember::seq2seq::detokenize(plain[i], DetokenizerLanguage::kEnglish));
    CHECK(cased[i] == ember::seq2seq::detokenize(plain[i], DetokenizerLanguage::kEnglish,
                                                 {.uppercase_first = true}));
    changed += joined[i] != plain[i];
  }
  CHECK(changed > 0);  // the outputs had tokens to join
  // With n-best lists too, the text field is detokenized: the best of a beam of 2 as the beam
  // search writes it without the list (it may differ from the greedy output above).
  const std::vector<std::string> beam =
      lines_of(run(translate + " --detokenize en --beam 2", "a b\\n").output);
  REQUIRE(beam.size() == 1);
  const Outcome nbest = run(translate + " --detokenize en --beam 2 --n-best 1", "a b\\n");
  CHECK(nbest.output.rfind("0 ||| " + beam[0] + " ||| F0= ", 0) == 0);
  // eval: the same outputs detokenized, scored against references given as a file.
  std::vector<std::string> references;
  for (int repeat = 0; repeat < 50; ++repeat)
    for (const std::string& t : targets)
      references.push_back(
          ember::seq2seq::detokenize(t, ember::seq2seq::DetokenizerLanguage::kEnglish));
  write_file(dir + "/references.txt", references);
  const std::string eval = "eval --quiet --run " + dir + "/run --split train --metric bleu";
  const Outcome scored = run(eval + " --detokenize en --bleu-tokenize 13a --references " + dir +
                             "/references.txt --limit 4 --output " + dir + "/hyps.txt");
  INFO(scored.output);
  CHECK(scored.code == 0);
  CHECK(scored.contains("tok:13a"));
  std::ifstream hyps(dir + "/hyps.txt");
  std::stringstream written;
  written << hyps.rdbuf();
  CHECK(lines_of(written.str()) == joined);
  write_file(dir + "/short.txt", {"one", "two", "three"});
  const Outcome short_refs = run(eval + " --references " + dir + "/short.txt");
  CHECK(short_refs.code == 2);
  CHECK(short_refs.lines() == 1);
  CHECK(short_refs.contains("[eval] --references " + dir +
                            "/short.txt has 3 lines for the 200 sentences of split train"));
  CHECK(run(eval + " --uppercase-first").contains("--uppercase-first applies with --detokenize"));
  fs::remove_all(dir);
}
