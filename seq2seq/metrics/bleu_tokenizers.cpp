// sacreBLEU's BLEU tokenizers (tokenizer_re.py, tokenizer_13a.py, tokenizer_intl.py,
// tokenizer_char.py, tokenizer_zh.py), reimplemented. The mteval rules run on UTF-8 bytes: every
// pattern is ASCII, and a multi-byte character matches [^0-9] through its last byte exactly where
// Python matches the character. The intl rules run on code points.
#include "ember/seq2seq/metrics/bleu_tokenizers.h"

#include <unicode/uchar.h>

#include <vector>

#include "ember/core/utf8.h"
#include "ember/seq2seq/metrics/python_text.h"

namespace ember::seq2seq {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_not_digit(char c) { return !is_digit(c); }
bool is_period_or_comma(char c) { return c == '.' || c == ','; }
bool is_dash(char c) { return c == '-'; }

// [\{-\~\[-\` -\&\(-\+\:-\@\/]: the ASCII symbols mteval always splits off.
bool is_mteval_symbol(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// re.sub(r'([first])([second])', r'\1 \2 ' or r' \1 \2', text), over a sequence of units
// (bytes or code points); `space` is the unit ' '.
template <class Unit>
std::vector<Unit> sub_pair(const std::vector<Unit>& text, bool (*first)(Unit), bool (*second)(Unit),
                           bool space_before, Unit space) {
  std::vector<Unit> out;
  out.reserve(text.size() * 2);
  size_t i = 0;
  while (i < text.size()) {
    if (i + 1 < text.size() && first(text[i]) && second(text[i + 1])) {
      if (space_before) out.push_back(space);
      out.push_back(text[i]);
      out.push_back(space);
      out.push_back(text[i + 1]);
      if (!space_before) out.push_back(space);
      i += 2;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::string sub_pair_bytes(std::string_view text, bool (*first)(char), bool (*second)(char),
                           bool space_before) {
  const std::vector<char> out =
      sub_pair(std::vector<char>(text.begin(), text.end()), first, second, space_before, ' ');
  return {out.begin(), out.end()};
}

// ' '.join(text.split())
std::string join_words(std::string_view text) {
  std::string out;
  for (std::string_view word : python_text::split(text)) {
    if (!out.empty()) out.push_back(' ');
    out.append(word);
  }
  return out;
}

// Whether the character `piece` (one code point of core::split_code_points) is in the general
// categories of `mask` (ICU's U_GC_*_MASK); an invalid byte is in none.
bool in_category(std::string_view piece, uint32_t mask) {
  const char32_t c = python_text::decode(piece);
  return c != python_text::kInvalid && (U_GET_GC_MASK(static_cast<UChar32>(c)) & mask) != 0;
}
bool is_not_number(std::string_view c) { return !in_category(c, U_GC_N_MASK); }  // \P{N}
bool is_punctuation(std::string_view c) { return in_category(c, U_GC_P_MASK); }  // \p{P}
bool is_symbol(std::string_view c) { return in_category(c, U_GC_S_MASK); }       // \p{S}

}  // namespace

std::string split_mteval_symbols(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) {
    if (is_mteval_symbol(c)) {
      out += ' ';
      out += c;
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string split_mteval_period_comma_dash(std::string_view text) {
  std::string out = sub_pair_bytes(text, is_not_digit, is_period_or_comma, false);
  out = sub_pair_bytes(out, is_period_or_comma, is_not_digit, true);
  return sub_pair_bytes(out, is_digit, is_dash, false);
}

std::string tokenize_regexp(std::string_view line) {
  return join_words(split_mteval_period_comma_dash(split_mteval_symbols(line)));
}

std::string tokenize_13a(std::string_view line) {
  std::string text(line);
  python_text::replace(text, "<skipped>", "");
  python_text::replace(text, "-\n", "");
  python_text::replace(text, "\n", " ");
  python_text::replace(text, "&quot;", "\"");
  python_text::replace(text, "&amp;", "&");
  python_text::replace(text, "&lt;", "<");
  python_text::replace(text, "&gt;", ">");
  return tokenize_regexp(" " + text + " ");
}

std::string tokenize_intl(std::string_view line) {
  // (\P{N})(\p{P}) -> '\1 \2 ', then (\p{P})(\P{N}) -> ' \1 \2', then (\p{S}) -> ' \1 '.
  constexpr std::string_view kSpace = " ";
  std::vector<std::string_view> text = core::split_code_points(line);
  text = sub_pair(text, is_not_number, is_punctuation, false, kSpace);
  text = sub_pair(text, is_punctuation, is_not_number, true, kSpace);
  std::string out;
  for (std::string_view c : text) {
    const bool symbol = is_symbol(c);
    if (symbol) out.push_back(' ');
    out.append(c);
    if (symbol) out.push_back(' ');
  }
  return join_words(out);
}

std::string tokenize_char(std::string_view line) {
  std::string out;
  for (std::string_view piece : core::split_code_points(line)) {
    if (!out.empty()) out.push_back(' ');
    out.append(piece);
  }
  return out;
}

bool is_zh_tokenizer_chinese(char32_t c) {
  constexpr char32_t kRanges[][2] = {
      {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D}, {0xFA30, 0xFA6A},
      {0xFA70, 0xFAD9}, {0x2001, 0x2A6D}, {0x2F81, 0x2FA1}, {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF},
      {0x3000, 0x303F}, {0x31C0, 0x31EF}, {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F},
      {0x31A0, 0x31BF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
      {0x3200, 0x32FF}, {0x3300, 0x33FF}};
  for (const auto& range : kRanges)
    if (c >= range[0] && c <= range[1]) return true;
  return false;
}

std::string tokenize_zh(std::string_view line) {
  std::string spaced;
  for (std::string_view piece : core::split_code_points(python_text::strip(line))) {
    const bool chinese = is_zh_tokenizer_chinese(python_text::decode(piece));
    if (chinese) spaced.push_back(' ');
    spaced.append(piece);
    if (chinese) spaced.push_back(' ');
  }
  return tokenize_regexp(spaced);
}

}  // namespace ember::seq2seq
