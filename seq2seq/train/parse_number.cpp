// Whole-text number parsing with std::from_chars.
#include "ember/seq2seq/train/parse_number.h"

#include <charconv>
#include <cmath>

#include "ember/core/error.h"

namespace ember::seq2seq {

int64_t parse_int(const std::string& text, const std::string& what) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  EMBER_CHECK(!text.empty() && ec == std::errc() && ptr == end,
              "[flags] {} expects an integer, got '{}'", what, text);
  return value;
}

double parse_number(const std::string& text, const std::string& what) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  EMBER_CHECK(!text.empty() && ec == std::errc() && ptr == end,
              "[flags] {} expects a number, got '{}'", what, text);
  // from_chars reads "nan" and "inf" too: no flag or stored value means either.
  EMBER_CHECK(std::isfinite(value), "[flags] {} expects a finite number, got '{}'", what, text);
  return value;
}

}  // namespace ember::seq2seq
