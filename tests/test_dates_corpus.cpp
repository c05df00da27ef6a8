#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>
#include <unordered_map>

#include "ember/core/error.h"
#include "ember/seq2seq/data/dates_corpus.h"

using namespace ember::seq2seq;
namespace chrono = std::chrono;

namespace {

// ISO weekday from the standard library: 0 = monday .. 6 = sunday.
int chrono_weekday(const Date& date) {
  const chrono::year_month_day ymd{chrono::year{date.year}, chrono::month{unsigned(date.month)},
                                   chrono::day{unsigned(date.day)}};
  return static_cast<int>(chrono::weekday{chrono::sys_days{ymd}}.iso_encoding()) - 1;
}

const char* const kWeekdayPrefixes[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

TEST_CASE("the calendar agrees with std::chrono over 1950-2049 and known days") {
  const int64_t first = days_from_civil({1950, 1, 1});
  const int64_t last = days_from_civil({2049, 12, 31});
  CHECK(last - first + 1 == 36525);  // 100 years, 25 of them leap (2000 is one)
  int64_t disagreements = 0;
  for (int64_t days = first; days <= last; ++days) {
    const Date date = civil_from_days(days);
    const chrono::year_month_day ymd{chrono::sys_days{chrono::days{days}}};
    const bool same = days_from_civil(date) == days && date.year == int(ymd.year()) &&
                      date.month == int(unsigned(ymd.month())) &&
                      date.day == int(unsigned(ymd.day())) && weekday(date) == chrono_weekday(date);
    if (!same) ++disagreements;
  }
  CHECK(disagreements == 0);
  CHECK(weekday({1998, 3, 3}) == 1);   // a tuesday
  CHECK(weekday({2000, 1, 1}) == 5);   // a saturday
  CHECK(weekday({1969, 7, 20}) == 6);  // a sunday
  CHECK(is_valid_date({2000, 2, 29}));
  CHECK_FALSE(is_valid_date({1900, 2, 29}));
  CHECK_FALSE(is_valid_date({1999, 4, 31}));
  CHECK_FALSE(is_valid_date({1999, 13, 1}));
}

TEST_CASE("format_date writes the documented styles") {
  const Date date{1998, 3, 3};
  CHECK(num_date_styles() >= 12);
  const std::vector<std::string> expected = {"tuesday, 3 march 1998",
                                             "03/03/98",
                                             "march 3rd 1998",
                                             "3 mar. 98",
                                             "1998-03-03",
                                             "the 3rd of march, 1998",
                                             "mar 3, 1998",
                                             "3.3.1998",
                                             "3 march 1998",
                                             "march 3, 1998",
                                             "tue 3 mar 1998",
                                             "03/03/1998",
                                             "Tuesday, March 3, 1998",
                                             "Tue, 03 Mar 1998",
                                             "3-mar-1998",
                                             "03.03.98",
                                             "3rd march '98",
                                             "1998/03/03",
                                             "tuesday the 3rd of march 1998",
                                             "19980303"};
  REQUIRE(static_cast<int64_t>(expected.size()) == num_date_styles());
  for (int64_t style = 0; style < num_date_styles(); ++style)
    CHECK(format_date(date, style) == expected[style]);
  CHECK(format_date({2011, 12, 11}, 2) == "december 11th 2011");
  CHECK(format_date({2021, 8, 22}, 5) == "the 22nd of august, 2021");
  CHECK(format_date({2003, 1, 31}, 16) == "31st january '03");
  CHECK(format_date({1950, 11, 1}, 1) == "11/01/50");
  CHECK_THROWS_WITH_AS(format_date(date, num_date_styles()),
                       doctest::Contains("[dates_corpus] style 20 out of range"), ember::Error);
}

TEST_CASE("every style names the right weekday and no string reads as two dates") {
  std::unordered_map<std::string, int64_t> owner;
  const int64_t first = days_from_civil({1950, 1, 1});
  const int64_t last = days_from_civil({2049, 12, 31});
  int64_t ambiguous = 0, wrong_weekday = 0, with_weekday = 0;
  for (int64_t days = first; days <= last; ++days) {
    const Date date = civil_from_days(days);
    for (int64_t style = 0; style < num_date_styles(); ++style) {
      const std::string text = format_date(date, style);
      const auto [it, inserted] = owner.emplace(text, days);
      if (!inserted && it->second != days) ++ambiguous;
      const std::string lowered = lower(text);
      for (int w = 0; w < 7; ++w) {
        if (lowered.rfind(kWeekdayPrefixes[w], 0) != 0) continue;
        ++with_weekday;
        if (w != chrono_weekday(date)) ++wrong_weekday;
      }
    }
  }
  CHECK(ambiguous == 0);
  CHECK(wrong_weekday == 0);
  CHECK(with_weekday == 5 * 36525);  // styles 0, 10, 12, 13 and 18 start with the weekday
}

TEST_CASE("parse_iso_date accepts only real days in YYYY-MM-DD") {
  Date date;
  REQUIRE(parse_iso_date("1998-03-03", &date));
  CHECK(date == Date{1998, 3, 3});
  CHECK(iso_date(date) == "1998-03-03");
  CHECK_FALSE(parse_iso_date("1998-02-30", &date));
  CHECK_FALSE(parse_iso_date("1998-3-03", &date));
  CHECK_FALSE(parse_iso_date("1998/03/03", &date));
  CHECK_FALSE(parse_iso_date("19a8-03-03", &date));
  CHECK_FALSE(parse_iso_date("1998-03-031", &date));
  CHECK(date == Date{1998, 3, 3});  // unchanged by the failures
}

TEST_CASE("make_dates_corpus: sizes, ISO targets, disjoint splits, determinism") {
  DatesOptions options;
  const DatesCorpus corpus = make_dates_corpus(options);
  CHECK(corpus.train.size() == 20000);
  CHECK(corpus.valid.size() == 1000);
  CHECK(corpus.test.size() == 1000);

  std::set<std::string> train_days, valid_days, test_days, train_sources, other_sources;
  std::set<int64_t> styles_seen;
  const auto collect = [&](const ParallelText& split, std::set<std::string>& days,
                           std::set<std::string>& sources) {
    for (int64_t i = 0; i < split.size(); ++i) {
      Date date;
      REQUIRE(parse_iso_date(split.target[i], &date));
      CHECK(iso_date(date) == split.target[i]);
      CHECK(date.year >= 1950);
      CHECK(date.year <= 2049);
      bool matches_a_style = false;
      for (int64_t style = 0; style < num_date_styles(); ++style)
        if (format_date(date, style) == split.source[i]) {
          matches_a_style = true;
          styles_seen.insert(style);
        }
      CHECK(matches_a_style);
      days.insert(split.target[i]);
      sources.insert(split.source[i]);
    }
  };
  collect(corpus.train, train_days, train_sources);
  collect(corpus.valid, valid_days, other_sources);
  collect(corpus.test, test_days, other_sources);
  CHECK(static_cast<int64_t>(styles_seen.size()) == num_date_styles());
  CHECK(valid_days.size() == 1000);  // distinct days within valid and test
  CHECK(test_days.size() == 1000);
  for (const std::string& day : valid_days)
    CHECK(train_days.count(day) + test_days.count(day) == 0);
  for (const std::string& day : test_days) CHECK(train_days.count(day) == 0);
  for (const std::string& source : other_sources) CHECK(train_sources.count(source) == 0);

  const DatesCorpus again = make_dates_corpus(options);
  CHECK(again.train.source == corpus.train.source);
  CHECK(again.test.target == corpus.test.target);
  options.seed = 2;
  CHECK(make_dates_corpus(options).test.source != corpus.test.source);
}

TEST_CASE("make_dates_corpus cycles train days when asked for more than are left") {
  DatesOptions options;
  options.first_year = 2000;
  options.last_year = 2000;  // 366 days
  options.train_size = 1000;
  options.valid_size = 30;
  options.test_size = 36;
  const DatesCorpus corpus = make_dates_corpus(options);
  CHECK(corpus.train.size() == 1000);
  std::set<std::string> train_days(corpus.train.target.begin(), corpus.train.target.end());
  CHECK(train_days.size() == 300);
  for (const std::string& day : corpus.test.target) CHECK(train_days.count(day) == 0);
}

TEST_CASE("make_dates_corpus errors") {
  DatesOptions options;
  options.first_year = 1900;
  CHECK_THROWS_WITH_AS(make_dates_corpus(options),
                       doctest::Contains("[dates_corpus] the years 1900..2049 span more than 100"),
                       ember::Error);
  options.first_year = 2050;
  CHECK_THROWS_WITH_AS(make_dates_corpus(options),
                       doctest::Contains("[dates_corpus] years must satisfy"), ember::Error);
  options = DatesOptions{};
  options.train_size = 0;
  CHECK_THROWS_WITH_AS(make_dates_corpus(options),
                       doctest::Contains("[dates_corpus] sizes must be"), ember::Error);
  options = DatesOptions{};
  options.first_year = options.last_year = 2001;
  options.valid_size = 200;
  options.test_size = 165;
  CHECK_THROWS_WITH_AS(make_dates_corpus(options),
                       doctest::Contains("[dates_corpus] valid 200 + test 165 leave no day of "
                                         "the 365"),
                       ember::Error);
}
