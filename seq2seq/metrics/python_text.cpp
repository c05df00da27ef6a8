// python_text::lower with ICU's case mapping.
#include "ember/seq2seq/metrics/python_text.h"

#include <unicode/uchar.h>

namespace ember::seq2seq::python_text {

std::string lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::string_view piece : core::split_code_points(text)) {
    const char32_t c = decode(piece);
    if (c == kInvalid) {
      out.append(piece);
      continue;
    }
    if (c == 0x130) {
      out.append("i\xCC\x87");
      continue;
    }
    const auto l = static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
    if (l < 0x80) {
      out.push_back(static_cast<char>(l));
    } else if (l < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (l >> 6)));
      out.push_back(static_cast<char>(0x80 | (l & 0x3F)));
    } else if (l < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (l >> 12)));
      out.push_back(static_cast<char>(0x80 | ((l >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (l & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (l >> 18)));
      out.push_back(static_cast<char>(0x80 | ((l >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((l >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (l & 0x3F)));
    }
  }
  return out;
}

}  // namespace ember::seq2seq::python_text
