#include <doctest/doctest.h>

#include "ember/core/error.h"
#include "ember/seq2seq/train/parse_number.h"

using namespace ember;
using namespace ember::seq2seq;

TEST_CASE("parse_int and parse_number read the whole text") {
  CHECK(parse_int("-42", "x") == -42);
  CHECK(parse_number("2.5e-3", "x") == doctest::Approx(0.0025));
  CHECK_THROWS_WITH_AS(parse_int("4.0", "--n"), "[flags] --n expects an integer, got '4.0'", Error);
  CHECK_THROWS_WITH_AS(parse_int("", "--n"), "[flags] --n expects an integer, got ''", Error);
  CHECK_THROWS_WITH_AS(parse_number("1,5", "--x"), doctest::Contains("expects a number"), Error);
}

TEST_CASE("parse_number refuses what is not a finite number") {
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity"}) {
    INFO(bad);
    CHECK_THROWS_WITH_AS(parse_number(bad, "x"), doctest::Contains("x expects a finite number"),
                         Error);
  }
}
