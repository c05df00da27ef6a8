// Moses-like detokenization (detokenizer.h has the rules).
#include "ember/seq2seq/data/detokenizer.h"

#include <array>
#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include "ember/core/utf8.h"

namespace ember::seq2seq {
namespace {

// The code point of one UTF-8 character (a piece of core::split_code_points); an invalid byte,
// which split_code_points leaves alone, reads as U+FFFD.
char32_t code_point(std::string_view c) {
  const auto b = [&c](size_t i) { return static_cast<unsigned char>(c[i]); };
  switch (c.size()) {
    case 1:
      return b(0) < 0x80 ? b(0) : 0xFFFD;
    case 2:
      return ((b(0) & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    case 3:
      return ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    case 4:
      return ((b(0) & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) |
             (b(3) & 0x3Fu);
    default:
      return 0xFFFD;
  }
}

std::string encode_utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

bool in(char32_t c, char32_t first, char32_t last) { return c >= first && c <= last; }

// Letters of the Latin, Greek and Cyrillic scripts, kana, hangul and CJK ideographs.
bool is_letter(char32_t c) {
  if (c < 0x80) return in(c, 'a', 'z') || in(c, 'A', 'Z');
  if (c == 0xAA || c == 0xB5 || c == 0xBA) return true;
  if (in(c, 0xC0, 0x24F)) return c != 0xD7 && c != 0xF7;
  return in(c, 0x370, 0x3FF) || in(c, 0x400, 0x52F) || in(c, 0x1E00, 0x1FFF) ||
         in(c, 0x3040, 0x30FF) || in(c, 0x3400, 0x4DBF) || in(c, 0x4E00, 0x9FFF) ||
         in(c, 0xAC00, 0xD7AF);
}

bool is_letter_or_digit(char32_t c) { return is_letter(c) || in(c, '0', '9'); }

bool is_currency(char32_t c) { return c == '$' || in(c, 0xA2, 0xA5) || in(c, 0x20A0, 0x20CF); }

// Tokens that attach to the next token: currency signs and opening brackets.
bool is_opener(char32_t c) {
  return is_currency(c) || c == '(' || c == '[' || c == '{' || c == 0xBF || c == 0xA1;
}

// Tokens that attach to the previous one.
bool is_closer(char32_t c) {
  return c == ',' || c == '.' || c == '?' || c == '!' || c == ':' || c == ';' || c == '\\' ||
         c == '%' || c == '}' || c == ']' || c == ')';
}

// Quotes whose tokens alternate between opening and closing; U+201E and U+201C are counted with ".
bool is_quote(char32_t c) { return c == '\'' || c == '"' || c == '`' || c == 0x201E || c == 0x201C; }

// The marks before which French typography sets a space.
bool is_french_spaced(char32_t c) {
  return c == '?' || c == '!' || c == ':' || c == ';' || c == '\\' || c == '%';
}

// A token as code points.
struct Token {
  std::string text;
  std::vector<char32_t> chars;

  bool all(bool (*predicate)(char32_t)) const {
    for (char32_t c : chars)
      if (!predicate(c)) return false;
    return !chars.empty();
  }
  char32_t front() const { return chars.empty() ? 0 : chars.front(); }
  char32_t back() const { return chars.empty() ? 0 : chars.back(); }
};

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// Moses' marked hyphens joined, then its XML escapes undone (&amp; last, so "&amp;lt;" gives
// "&lt;").
std::string unescape(std::string_view line) {
  std::string text;
  text.reserve(line.size() + 2);
  text.append(1, ' ').append(line).append(1, ' ');
  text = replace_all(std::move(text), " @-@ ", "-");
  static const std::array<std::pair<std::string_view, std::string_view>, 11> kEscapes = {{
      {"&bar;", "|"},
      {"&#124;", "|"},
      {"&lt;", "<"},
      {"&gt;", ">"},
      {"&bra;", "["},
      {"&ket;", "]"},
      {"&quot;", "\""},
      {"&apos;", "'"},
      {"&#91;", "["},
      {"&#93;", "]"},
      {"&amp;", "&"},
  }};
  for (const auto& [from, to] : kEscapes) text = replace_all(std::move(text), from, to);
  return text;
}

std::vector<Token> tokens_of(const std::string& text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = text.find_first_not_of(" \t\n\v\f\r", i);
    if (start == std::string::npos) break;
    size_t end = text.find_first_of(" \t\n\v\f\r", start);
    if (end == std::string::npos) end = text.size();
    Token t{text.substr(start, end - start), {}};
    for (std::string_view c : core::split_code_points(t.text)) t.chars.push_back(code_point(c));
    tokens.push_back(std::move(t));
    i = end;
  }
  return tokens;
}

// The uppercase of a lowercase letter of ASCII, Latin-1, Latin Extended-A, basic Greek or basic
// Cyrillic; others unchanged.
char32_t upper_code_point(char32_t c) {
  if (in(c, 'a', 'z')) return c - 0x20;
  if (in(c, 0xE0, 0xFE) && c != 0xF7) return c - 0x20;
  if (c == 0xFF) return 0x178;
  // Latin Extended-A pairs: uppercase even, lowercase odd in U+0100..U+0137 and U+014A..U+0177;
  // uppercase odd, lowercase even in U+0139..U+0148 and U+0179..U+017E.
  if ((in(c, 0x100, 0x137) || in(c, 0x14A, 0x177)) && (c & 1u) != 0) return c - 1;
  if ((in(c, 0x139, 0x148) || in(c, 0x179, 0x17E)) && (c & 1u) == 0) return c - 1;
  if (in(c, 0x3B1, 0x3C9) && c != 0x3C2) return c - 0x20;  // Greek (final sigma has none)
  if (in(c, 0x430, 0x44F)) return c - 0x20;                // Cyrillic а..я
  if (in(c, 0x450, 0x45F)) return c - 0x50;                // Cyrillic ѐ..џ
  return c;
}

// Moses' -u: the first letter after leading punctuation and spaces, uppercased. A digit or any
// other character first leaves the text as it is.
std::string uppercase_first(const std::string& text) {
  size_t offset = 0;
  for (std::string_view c : core::split_code_points(text)) {
    const char32_t cp = code_point(c);
    if (is_letter(cp)) {
      return text.substr(0, offset) + encode_utf8(upper_code_point(cp)) +
             text.substr(offset + c.size());
    }
    const bool punctuation = (cp < 0x80 && std::ispunct(static_cast<int>(cp)) != 0) ||
                             is_opener(cp) || is_quote(cp) || cp == 0xAB || cp == 0xBB;
    if (!punctuation && cp != ' ') return text;
    offset += c.size();
  }
  return text;
}

}  // namespace

const EnumNames<DetokenizerLanguage>& detokenizer_language_names() {
  static const EnumNames<DetokenizerLanguage> names("[detokenize]", "language",
                                                    {{"en", DetokenizerLanguage::kEnglish},
                                                     {"de", DetokenizerLanguage::kGerman},
                                                     {"fr", DetokenizerLanguage::kFrench}});
  return names;
}

std::string detokenize(std::string_view line, DetokenizerLanguage language,
                       const DetokenizeOptions& options) {
  const bool english = language == DetokenizerLanguage::kEnglish;
  const bool french = language == DetokenizerLanguage::kFrench;
  const std::vector<Token> tokens = tokens_of(unescape(line));
  std::string text;
  // Whether the next token is glued to the text so far (the last token attaches to the next).
  bool glue = true;
  std::map<std::string, int64_t> quotes_seen;  // by kind: "'", "\"", "`", "''", ...
  const auto append = [&text](const std::string& token, bool glued) {
    if (!glued && !text.empty()) text += ' ';
    text += token;
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    const Token* previous = i > 0 ? &tokens[i - 1] : nullptr;
    const Token* next = i + 1 < tokens.size() ? &tokens[i + 1] : nullptr;
    if (t.all(is_opener)) {
      append(t.text, glue);
      glue = true;
    } else if (t.all(is_closer)) {
      const bool spaced = french && t.chars.size() == 1 && is_french_spaced(t.front());
      append(t.text, !spaced);
      glue = false;
    } else if (english && previous != nullptr && t.chars.size() >= 2 && t.front() == '\'' &&
               is_letter(t.chars[1]) && is_letter_or_digit(previous->back())) {
      append(t.text, true);  // a clitic: 's 'm 're n't's 't
      glue = false;
    } else if (french && next != nullptr && t.chars.size() >= 2 && t.back() == '\'' &&
               is_letter(t.chars[t.chars.size() - 2]) && is_letter(next->front())) {
      append(t.text, glue);  // an elided word: l' qu' j'
      glue = true;
    } else if (t.all(is_quote)) {
      const bool double_quote = t.all([](char32_t c) {
        return c == 0x201E || c == 0x201C;
      });
      int64_t& seen = quotes_seen[double_quote ? std::string("\"") : t.text];
      if (seen % 2 == 1) {  // a closing quote
        append(t.text, true);
        glue = false;
        ++seen;
      } else if (english && t.text == "'" && previous != nullptr && previous->back() == 's') {
        append(t.text, true);  // a possessive: the jones' house
        glue = false;
      } else {  // an opening quote
        append(t.text, glue);
        glue = true;
        ++seen;
      }
    } else {
      append(t.text, glue);
      glue = false;
    }
  }
  return options.uppercase_first ? uppercase_first(text) : text;
}

}  // namespace ember::seq2seq
