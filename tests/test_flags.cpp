#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/flags.h"

using namespace ember;
using namespace ember::seq2seq::cli;

namespace {

struct Settings {
  int64_t epochs = 10;
  float lr = 0.5f;
  double limit = 0.0;
  std::string name = "default";
  std::string kind = "word";
  bool verbose = false;
};

FlagSet make_flags(Settings& s) {
  FlagSet flags("ember test", "A test command.");
  flags.add("--epochs", "N", "passes", &s.epochs);
  flags.add("--lr", "X", "learning rate", &s.lr);
  flags.add("--limit", "SECONDS", "time limit", &s.limit);
  flags.add("--name", "NAME", "a name", &s.name);
  flags.add_choice("--kind", "the kind", &s.kind, {"word", "char"});
  flags.add_switch("--verbose", "talk more", &s.verbose);
  return flags;
}

}  // namespace

TEST_CASE("flags set typed values, in both spellings, and collect positionals") {
  Settings s;
  const FlagSet flags = make_flags(s);
  const ParsedArgs parsed =
      flags.parse({"translate", "--epochs", "3", "--lr=0.25", "--limit", "1.5e2", "--name", "-x",
                   "--kind", "char", "--verbose", "--", "--not-a-flag"});
  CHECK_FALSE(parsed.help);
  CHECK(parsed.positionals == std::vector<std::string>{"translate", "--not-a-flag"});
  CHECK(s.epochs == 3);
  CHECK(s.lr == 0.25f);
  CHECK(s.limit == 150.0);
  CHECK(s.name == "-x");  // a value may start with a dash
  CHECK(s.kind == "char");
  CHECK(s.verbose);
}

TEST_CASE("--help anywhere asks for help and applies nothing") {
  Settings s;
  const FlagSet flags = make_flags(s);
  CHECK(flags.parse({"--epochs", "3", "-h"}).help);
  CHECK(flags.parse({"--help", "--bogus"}).help);
  CHECK(s.epochs == 10);
  const std::string help = flags.help();
  CHECK(help.rfind("usage: ember test [flags]", 0) == 0);
  CHECK(help.find("A test command.") != std::string::npos);
  CHECK(help.find("--epochs N") != std::string::npos);
  CHECK(help.find("passes [10]") != std::string::npos);  // the current value as default
  CHECK(help.find("--kind word|char") != std::string::npos);
  CHECK(help.find("--verbose") != std::string::npos);
}

TEST_CASE("flags refuse unknown, repeated, valueless and malformed arguments") {
  Settings s;
  const FlagSet flags = make_flags(s);
  CHECK_THROWS_WITH_AS(flags.parse({"--epoch", "3"}),
                       "[flags] ember test: unknown flag '--epoch' (see 'ember test --help')",
                       ember::Error);
  CHECK_THROWS_WITH_AS(flags.parse({"--epochs", "1", "--epochs=2"}),
                       doctest::Contains("--epochs given twice"), ember::Error);
  CHECK_THROWS_WITH_AS(flags.parse({"--epochs"}), doctest::Contains("--epochs needs a value (N)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(flags.parse({"--verbose=yes"}), doctest::Contains("takes no value"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(flags.parse({"--epochs", "3x"}),
                       "[flags] --epochs expects an integer, got '3x' (see 'ember test --help')",
                       ember::Error);
  CHECK_THROWS_WITH_AS(flags.parse({"--lr", ""}), doctest::Contains("expects a number"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(flags.parse({"--kind", "bpe"}),
                       doctest::Contains("--kind expects one of word|char, got 'bpe'"),
                       ember::Error);
}

TEST_CASE("an enum flag reads and shows the names of its table") {
  enum class Colour { kRed, kDarkBlue };
  const ember::seq2seq::EnumNames<Colour> colours("[paint]", "colour",
                                  {{"red", Colour::kRed}, {"dark_blue", Colour::kDarkBlue}});
  Colour colour = Colour::kRed;
  FlagSet flags("ember test", "A test command.");
  flags.add_enum("--colour", "the colour", &colour, colours);
  CHECK(flags.help().find("--colour red|dark_blue  the colour [red]") != std::string::npos);
  flags.parse({"--colour", "dark_blue"});
  CHECK(colour == Colour::kDarkBlue);
  CHECK(flags.help().find("the colour [dark_blue]") != std::string::npos);
  CHECK_THROWS_WITH_AS(
      flags.parse({"--colour=green"}),
      "[flags] --colour expects one of red|dark_blue, got 'green' (see 'ember test --help')",
      ember::Error);
  CHECK(colour == Colour::kDarkBlue);
  CHECK_THROWS_WITH_AS(colours.parse("green"),
                       "[paint] unknown colour 'green' (expected one of: red, dark_blue)",
                       ember::Error);
  CHECK(std::string(colours.name(Colour::kRed)) == "red");
}

TEST_CASE("a flag that acts first is found before the others are parsed, never after --") {
  const std::vector<std::string> args = {"--resume", "--run-dir", "runs/a", "--config=c.json",
                                         "--",       "--quick"};
  CHECK(prescan_flag(args, "--run-dir") == "runs/a");
  CHECK(prescan_flag(args, "--config") == "c.json");
  CHECK(prescan_flag(args, "--quick").empty());
  CHECK(has_flag(args, "--resume"));
  CHECK(has_flag(args, "--config"));
  CHECK_FALSE(has_flag(args, "--quick"));  // after "--": a positional
  CHECK_FALSE(has_flag(args, "--run"));    // a prefix of --run-dir is not --run
}

TEST_CASE("flag names must be new and start with --") {
  Settings s;
  FlagSet flags = make_flags(s);
  CHECK_THROWS_WITH_AS(flags.add("--epochs", "N", "again", &s.epochs), doctest::Contains("[flags]"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(flags.add("epochs", "N", "no dashes", &s.epochs),
                       doctest::Contains("[flags]"), ember::Error);
}

TEST_CASE("numbers must be finite, and float flags must fit a float") {
  Settings s;
  const FlagSet flags = make_flags(s);
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity"}) {
    INFO(bad);
    const std::string expected = fmt::format("--lr expects a finite number, got '{}'", bad);
    CHECK_THROWS_WITH_AS(flags.parse({"--lr", bad}), doctest::Contains(expected.c_str()), Error);
    CHECK_THROWS_WITH_AS(flags.parse({"--limit", bad}),
                         doctest::Contains("--limit expects a finite number"), Error);
  }
  // 1e300 is a fine double but an infinite float.
  CHECK_THROWS_WITH_AS(flags.parse({"--lr", "1e300"}),
                       doctest::Contains("--lr expects a number within float's range"), Error);
  CHECK(flags.parse({"--limit", "1e300"}).positionals.empty());
  CHECK(s.limit == 1e300);
  CHECK(s.lr == 0.5f);
}
