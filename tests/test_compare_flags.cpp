// The command line of `ember compare` (seq2seq/cli/compare_flags.h): the two modes, the
// overrides and every refusal.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/compare_flags.h"

using namespace ember;
using namespace ember::seq2seq;

TEST_CASE("compare: the command line") {
  const auto options = [](std::vector<std::string> args) {
    return cli::parse_compare_args(args).options;
  };
  SUBCASE("--quick: the dates corpus and its recipe") {
    const lab::CompareOptions o = options({"--quick", "--out", "somewhere"});
    CHECK(o.run.data.builtin == "dates");
    CHECK(o.size == "tiny");
    CHECK(o.out_dir == "somewhere");
    CHECK(o.run.train.max_steps == lab::quick_options().run.train.max_steps);
    CHECK(o.run.train.metric == MetricKind::kExact);
    CHECK(o.command == "ember compare --quick --out somewhere");
  }
  SUBCASE("a corpus of files; training flags override the defaults") {
    const lab::CompareOptions o = options({"--data", "d", "--src", "de", "--tgt", "en",
                                           "--tokenized", "--max-steps", "40", "--size=tiny"});
    CHECK(o.run.data.dir == "d");
    CHECK(o.run.train.max_steps == 40);
    CHECK(o.size == "tiny");
    CHECK(o.run.train.metric == MetricKind::kBleu);
    CHECK(o.run.train.bleu_tokenize == "none");  // pre-tokenized text
    CHECK(options({"--data", "d", "--src", "de", "--tgt", "en"}).run.train.bleu_tokenize == "13a");
    CHECK(options({"--data", "d", "--src", "de", "--tgt", "en"}).size == "small");
  }
  SUBCASE("--help") {
    const cli::CompareArgs parsed = cli::parse_compare_args({"--help"});
    CHECK(parsed.help);
    CHECK(parsed.help_text.find("--quick") != std::string::npos);
  }
  SUBCASE("errors") {
    const auto fails = [](std::vector<std::string> args, const char* text) {
      CAPTURE(text);
      CHECK_THROWS_WITH_AS(cli::parse_compare_args(args), doctest::Contains(text), ember::Error);
    };
    fails({}, "no data");
    fails({"--bogus"}, "[flags]");
    fails({"--quick", "extra"}, "no positional arguments");
    fails({"--quick", "--data", "d"}, "--quick uses the built-in dates corpus");
    fails({"--quick", "--builtin", "copy"}, "--quick uses the built-in dates corpus");
    fails({"--data", "d", "--src", "de"}, "--data needs --src SIDE and --tgt SIDE");
    fails({"--quick", "--size", "base"}, "[flags]");
    fails({"--quick", "--beam", "0"}, "[compare] beam size 0");
    fails({"--quick", "--beam", "x"}, "[flags]");
    fails({"--quick", "--test-sentences", "-1"}, "[compare] test sentences");
    fails({"--quick", "--target-loss", "-2"}, "[compare] target loss");
    fails({"--quick", "--lr", "-1"}, "[trainer]");
  }
}
