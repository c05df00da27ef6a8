// The tokenizers of sacreBLEU 2.x that BLEU (and, for the mteval rules, TER) applies before
// counting n-grams, reimplemented to give the same tokens (sacrebleu/tokenizers/*.py):
//
//   13a   mteval-v13a.pl: unescape &quot; &amp; &lt; &gt;, pad, then the mteval rules (default)
//   intl  mteval-v14.pl --international-tokenization: split Unicode punctuation (\p{P}) off
//         unless it sits between digits, and split every Unicode symbol (\p{S}) off
//   char  every character is a token
//   zh    each Chinese character is a token, then the mteval rules (no unescaping, no padding)
//   none  the text is already tokenized
//
// Each returns the tokens joined by single spaces. Unicode categories for intl come from ICU
// (Debian's libicu, Unicode 15.0: the version of the `regex` module sacreBLEU uses on Debian 12).
#pragma once

#include <string>
#include <string_view>

namespace ember::seq2seq {

// The mteval rules (sacreBLEU's TokenizerRegexp), in this order, each as Python's re.sub applies
// it: ASCII symbols [{-~[-` -&(-+:-@/] split off; a period or comma split off unless preceded by a
// digit, then unless followed by a digit; a dash split off after a digit.
std::string split_mteval_symbols(std::string_view text);            // the first rule only
std::string split_mteval_period_comma_dash(std::string_view text);  // the other three
std::string tokenize_regexp(std::string_view line);                 // all four, tokens joined

std::string tokenize_13a(std::string_view line);
std::string tokenize_intl(std::string_view line);
std::string tokenize_char(std::string_view line);
std::string tokenize_zh(std::string_view line);

// Whether sacreBLEU's zh tokenizer treats code point c as a Chinese character. Its table has two
// five-digit ranges written as "\u20000" and "\u2f800", which Python reads as two characters each;
// the comparisons then make them U+2001..U+2A6D and U+2F81..U+2FA1 (so general punctuation such
// as U+2014 EM DASH and U+201C/U+201D quotes count as Chinese). This reproduces that.
bool is_zh_tokenizer_chinese(char32_t c);

}  // namespace ember::seq2seq
