// Date normalisation data: a calendar, twenty human styles and the seeded split.
#include "ember/seq2seq/data/dates_corpus.h"

#include <array>
#include <cctype>
#include <numeric>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/random.h"

namespace ember::seq2seq {
namespace {

constexpr std::array<const char*, 12> kMonths = {"january",   "february", "march",    "april",
                                                 "may",       "june",     "july",     "august",
                                                 "september", "october",  "november", "december"};
constexpr std::array<const char*, 7> kWeekdays = {"monday", "tuesday",  "wednesday", "thursday",
                                                  "friday", "saturday", "sunday"};

std::string abbreviation(const std::string& name) { return name.substr(0, 3); }

std::string capitalized(std::string word) {
  word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
  return word;
}

// "1st", "2nd", "3rd", "4th", .., "11th", "12th", "13th", .., "21st", "22nd", "23rd", .., "31st".
std::string ordinal(int n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return fmt::format("{}{}", n, suffix);
}

// The styles, as fmt format strings over the fields of a date: d day, m month, y year, yy year
// modulo 100, dth ordinal day, month / mon its name / abbreviation, wday / wd the weekday's,
// and capitalized Month, Mon, Wday, Wd. Slashes are month/day, dots day.month.
constexpr std::array<const char*, 20> kStyles = {
    "{wday}, {d} {month} {y}",          // tuesday, 3 march 1998
    "{m:02}/{d:02}/{yy:02}",            // 03/03/98
    "{month} {dth} {y}",                // march 3rd 1998
    "{d} {mon}. {yy:02}",               // 3 mar. 98
    "{y:04}-{m:02}-{d:02}",             // 1998-03-03
    "the {dth} of {month}, {y}",        // the 3rd of march, 1998
    "{mon} {d}, {y}",                   // mar 3, 1998
    "{d}.{m}.{y}",                      // 3.3.1998
    "{d} {month} {y}",                  // 3 march 1998
    "{month} {d}, {y}",                 // march 3, 1998
    "{wd} {d} {mon} {y}",               // tue 3 mar 1998
    "{m:02}/{d:02}/{y}",                // 03/03/1998
    "{Wday}, {Month} {d}, {y}",         // Tuesday, March 3, 1998
    "{Wd}, {d:02} {Mon} {y}",           // Tue, 03 Mar 1998 (RFC 5322)
    "{d}-{mon}-{y}",                    // 3-mar-1998
    "{d:02}.{m:02}.{yy:02}",            // 03.03.98
    "{dth} {month} '{yy:02}",           // 3rd march '98
    "{y}/{m:02}/{d:02}",                // 1998/03/03
    "{wday} the {dth} of {month} {y}",  // tuesday the 3rd of march 1998
    "{y}{m:02}{d:02}",                  // 19980303
};

std::string format_style(const Date& date, int64_t style) {
  const std::string month = kMonths[date.month - 1], wday = kWeekdays[weekday(date)];
  const std::string mon = abbreviation(month), wd = abbreviation(wday);
  return fmt::format(
      fmt::runtime(kStyles[style]), fmt::arg("d", date.day), fmt::arg("m", date.month),
      fmt::arg("y", date.year), fmt::arg("yy", date.year % 100), fmt::arg("dth", ordinal(date.day)),
      fmt::arg("month", month), fmt::arg("mon", mon), fmt::arg("wday", wday), fmt::arg("wd", wd),
      fmt::arg("Month", capitalized(month)), fmt::arg("Mon", capitalized(mon)),
      fmt::arg("Wday", capitalized(wday)), fmt::arg("Wd", capitalized(wd)));
}

constexpr int64_t kNumStyles = static_cast<int64_t>(kStyles.size());

void check_options(const DatesOptions& options, int64_t num_days) {
  EMBER_CHECK(options.first_year >= 1 && options.last_year <= 9999 &&
                  options.first_year <= options.last_year,
              "[dates_corpus] years must satisfy 1 <= first_year <= last_year <= 9999, got {}..{}",
              options.first_year, options.last_year);
  EMBER_CHECK(options.last_year - options.first_year < 100,
              "[dates_corpus] the years {}..{} span more than 100, so two-digit years would be "
              "ambiguous",
              options.first_year, options.last_year);
  EMBER_CHECK(options.train_size >= 1 && options.valid_size >= 0 && options.test_size >= 0,
              "[dates_corpus] sizes must be train >= 1, valid >= 0, test >= 0, got {}/{}/{}",
              options.train_size, options.valid_size, options.test_size);
  EMBER_CHECK(options.valid_size + options.test_size < num_days,
              "[dates_corpus] valid {} + test {} leave no day of the {} in {}..{} for training",
              options.valid_size, options.test_size, num_days, options.first_year,
              options.last_year);
}

// `count` examples from days[begin + i] (cycling through [begin, end)) in random styles.
ParallelText make_split(const std::vector<int64_t>& days, int64_t begin, int64_t end, int64_t count,
                        core::Generator& generator) {
  ParallelText text;
  text.source.reserve(static_cast<size_t>(count));
  text.target.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const Date date = civil_from_days(days[begin + i % (end - begin)]);
    text.source.push_back(format_style(date, generator.randint(kNumStyles)));
    text.target.push_back(iso_date(date));
  }
  return text;
}

}  // namespace

int64_t days_from_civil(const Date& date) {
  const int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;  // [0, 399]
  const int64_t doy = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

Date civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0)), month, day};
}

int weekday(const Date& date) {
  // 1970-01-01 was a thursday (3).
  return static_cast<int>(((days_from_civil(date) + 3) % 7 + 7) % 7);
}

bool is_valid_date(const Date& date) {
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
  return civil_from_days(days_from_civil(date)) == date;
}

std::string iso_date(const Date& date) {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

bool parse_iso_date(std::string_view text, Date* date) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const auto number = [&](size_t start, size_t length, int* out) {
    int value = 0;
    for (size_t i = start; i < start + length; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    *out = value;
    return true;
  };
  Date parsed;
  if (!number(0, 4, &parsed.year) || !number(5, 2, &parsed.month) || !number(8, 2, &parsed.day))
    return false;
  if (!is_valid_date(parsed)) return false;
  *date = parsed;
  return true;
}

int64_t num_date_styles() { return kNumStyles; }

std::string format_date(const Date& date, int64_t style) {
  EMBER_CHECK(style >= 0 && style < kNumStyles, "[dates_corpus] style {} out of range [0, {})",
              style, kNumStyles);
  return format_style(date, style);
}

DatesCorpus make_dates_corpus(const DatesOptions& options) {
  const int64_t first = days_from_civil({options.first_year, 1, 1});
  const int64_t num_days = days_from_civil({options.last_year, 12, 31}) - first + 1;
  check_options(options, num_days);
  std::vector<int64_t> days(static_cast<size_t>(num_days));
  std::iota(days.begin(), days.end(), first);
  core::Generator generator(options.seed);
  for (int64_t i = num_days - 1; i > 0; --i) std::swap(days[i], days[generator.randint(i + 1)]);
  const int64_t test_end = options.test_size, valid_end = test_end + options.valid_size;
  DatesCorpus corpus;
  corpus.test = make_split(days, 0, test_end, options.test_size, generator);
  corpus.valid = make_split(days, test_end, valid_end, options.valid_size, generator);
  corpus.train = make_split(days, valid_end, num_days, options.train_size, generator);
  return corpus;
}

}  // namespace ember::seq2seq
