// The built-in corpus: date normalisation. Human-written dates in many styles ("tuesday, 3 march
// 1998", "03/03/98", "march 3rd 1998", "3 mar. 98", ...) map to ISO 8601 ("1998-03-03"). It
// needs no download, generates in milliseconds, and is learnt character by character
// (CharTokenizer) in minutes, so the main demo runs on a fresh machine.
//
// Each style reads one way only: slashes are month/day (US), dots day.month (European), and a
// two-digit year names the one year of the corpus range that ends in it (the range spans at most
// 100 years), so every source string has exactly one correct target.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ember/seq2seq/data/parallel_corpus.h"

namespace ember::seq2seq {

// A day of the proleptic Gregorian calendar.
struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  bool operator==(const Date&) const = default;
};

// Days since 1970-01-01 and back (Hinnant's civil calendar algorithms).
int64_t days_from_civil(const Date& date);
Date civil_from_days(int64_t days);
int weekday(const Date& date);  // 0 = monday .. 6 = sunday (ISO 8601 order)
bool is_valid_date(const Date& date);

std::string iso_date(const Date& date);  // "1998-03-03"
// Parses exactly "YYYY-MM-DD" naming a real day; false otherwise (*date is then unchanged).
bool parse_iso_date(std::string_view text, Date* date);

// The human styles, numbered 0 .. num_date_styles() - 1 (see dates_corpus.cpp for the list).
int64_t num_date_styles();
// `date` written in `style`; two-digit years are the year modulo 100. Throws "[dates_corpus]" for a
// style out of range.
std::string format_date(const Date& date, int64_t style);

struct DatesOptions {
  int64_t train_size = 20000;
  int64_t valid_size = 1000;
  int64_t test_size = 1000;
  uint64_t seed = 1;
  int first_year = 1950;  // inclusive
  int last_year = 2049;   // inclusive; at most 100 years after first_year - 1
};

// Sources are dates in a random style, targets their ISO form.
struct DatesCorpus {
  ParallelText train;
  ParallelText valid;
  ParallelText test;
};

// The days of the year range are shuffled with the seed and dealt out: the test split's days
// first, then the valid split's, and the train split cycles through the rest, so no day (hence no
// source string) is in two splits. Valid and test hold distinct days; train repeats days (in new
// styles) only when train_size exceeds the days left. The same options give the same corpus.
// Throws "[dates_corpus]" when the sizes do not fit the range or the range is invalid.
DatesCorpus make_dates_corpus(const DatesOptions& options = {});

}  // namespace ember::seq2seq
