// The few Python string operations the reference metric implementations (sacreBLEU, rouge-score)
// rely on, reproduced on UTF-8 text so that ember's scores match theirs: str.split(), str.strip()
// and str.rstrip() (Unicode whitespace, not just ASCII), str.replace(), str.lower(), a code point's
// value. Shared by the metrics (lower() is in python_text.cpp), tested through the metrics' tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ember/core/utf8.h"

namespace ember::seq2seq::python_text {

// Byte length of the character at text[i] when Python's str.isspace() holds for it, else 0:
// U+0009..U+000D, U+001C..U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
// U+202F, U+205F, U+3000 (text is UTF-8).
inline size_t space_length_at(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const size_t left = text.size() - i;
  const uint8_t b0 = byte(i);
  if ((b0 >= 0x09 && b0 <= 0x0D) || (b0 >= 0x1C && b0 <= 0x20)) return 1;
  if (b0 == 0xC2 && left >= 2) return (byte(i + 1) == 0x85 || byte(i + 1) == 0xA0) ? 2 : 0;
  if (left < 3) return 0;
  const uint8_t b1 = byte(i + 1), b2 = byte(i + 2);
  if (b0 == 0xE1) return (b1 == 0x9A && b2 == 0x80) ? 3 : 0;
  if (b0 == 0xE3) return (b1 == 0x80 && b2 == 0x80) ? 3 : 0;
  if (b0 != 0xE2) return 0;
  if (b1 == 0x80) {
    const bool space = b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF;
    return space && b2 >= 0x80 ? 3 : 0;
  }
  return (b1 == 0x81 && b2 == 0x9F) ? 3 : 0;
}

// str.split() with no separator: the maximal runs of non-whitespace, as views into text.
inline std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> words;
  size_t start = std::string_view::npos;
  size_t i = 0;
  while (i < text.size()) {
    const size_t space = space_length_at(text, i);
    if (space > 0) {
      if (start != std::string_view::npos) words.push_back(text.substr(start, i - start));
      start = std::string_view::npos;
      i += space;
    } else {
      if (start == std::string_view::npos) start = i;
      ++i;
    }
  }
  if (start != std::string_view::npos) words.push_back(text.substr(start));
  return words;
}

// ''.join(text.split()): text with every whitespace character removed.
inline std::string remove_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::string_view word : split(text)) out.append(word);
  return out;
}

// text = text.replace(from, to) (from non-empty).
inline void replace(std::string& text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// str.rstrip(): text without its trailing whitespace.
inline std::string_view rstrip(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    // A whitespace character is 1, 2 or 3 bytes long; try each length that ends at `end`.
    size_t found = 0;
    for (size_t length = 1; length <= 3 && length <= end && found == 0; ++length)
      if (space_length_at(text.substr(0, end), end - length) == length) found = length;
    if (found == 0) break;
    end -= found;
  }
  return text.substr(0, end);
}

// str.strip(): text without its leading and trailing whitespace.
inline std::string_view strip(std::string_view text) {
  size_t begin = 0;
  for (size_t space; begin < text.size() && (space = space_length_at(text, begin)) > 0;)
    begin += space;
  return rstrip(text.substr(begin));
}

// The code point of one piece of core::split_code_points; kInvalid for an invalid byte.
constexpr char32_t kInvalid = 0xFFFFFFFF;
inline char32_t decode(std::string_view piece) {
  const auto byte = [&](size_t k) { return static_cast<char32_t>(static_cast<uint8_t>(piece[k])); };
  switch (piece.size()) {
    case 1:
      return byte(0) < 0x80 ? byte(0) : kInvalid;
    case 2:
      return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3:
      return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    default:
      return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
             (byte(3) & 0x3F);
  }
}

// str.lower() on UTF-8 text: each code point's Unicode lowercase (ICU's simple mapping, Unicode
// 15.0), U+0130 (capital I with dot) becoming "i" + U+0307 as in Python. Invalid bytes are kept as
// they are. (Python also turns a word-final capital sigma into a final sigma; this does not.)
std::string lower(std::string_view text);

}  // namespace ember::seq2seq::python_text
