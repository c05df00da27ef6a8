// Detokenization of tokenized text (the word tokenizer's output, Moses-style `*.tok.*` corpora)
// back to running text, by the rules of Moses' scripts/tokenizer/detokenizer.perl for English,
// German and French, so that a translation can be scored with sacreBLEU's 13a tokenization
// against raw references:
//
//   detokenize("he 's here , isn &apos;t he ?", DetokenizerLanguage::kEnglish)
//       -> "he's here, isn't he?"
//   detokenize("l' homme est là !", DetokenizerLanguage::kFrench)  ->  "l'homme est là !"
//
// The rules, applied left to right over the whitespace-separated tokens:
//   - " @-@ " (Moses' marked hyphen) becomes "-"; the XML escapes Moses' tokenizer writes
//     (&amp; &lt; &gt; &quot; &apos; &#124; &#91; &#93; and the legacy &bar; &bra; &ket;) are
//     unescaped first.
//   - a token of currency signs or ( [ { ¿ ¡ attaches to the next token; a token of , . ? ! : ;
//     \ % ) ] } attaches to the previous one (in French a lone ? ! : ; \ % keeps its space, as
//     French typography sets one before them);
//   - English: a token starting with an apostrophe and a letter ('s 'm 're 't 'll 've 'd)
//     attaches to a previous token that ends in a letter or digit ("don 't" -> "don't");
//   - French: a token ending in a letter and an apostrophe (l' qu' j' aujourd') attaches to a
//     next token that starts with a letter;
//   - a token of quotes ' " ` „ “ alternates: the 1st, 3rd, ... of its kind open (attach to the
//     next token), the others close (attach to the previous one); „ “ and " count as one kind.
//     English: a lone ' after a token ending in "s" is a possessive ("the jones ' house" ->
//     "the jones' house") and does not count.
// Letters are those of the Latin, Greek and Cyrillic scripts, kana, hangul and CJK ideographs
// (Moses uses Perl's \p{IsAlpha}, all of Unicode); currency signs are $, U+00A2..U+00A5 and
// U+20A0..U+20CF. Not done (as Moses without options does not either): recasing, except the
// first letter on request (Moses' -u), and re-joining hyphens a tokenizer split without marking
// them ("est - ce" stays). Moses also passes whole lines of the form <...> through unchanged and
// joins adjacent CJK tokens; this does neither.
#pragma once

#include <string>
#include <string_view>

#include "ember/seq2seq/enum_names.h"

namespace ember::seq2seq {

// German has no rules of its own in Moses: it gets the rules every language shares.
enum class DetokenizerLanguage { kEnglish, kGerman, kFrench };

// en | de | fr; an unknown name throws "[detokenize] unknown language '<name>' (expected one of:
// en, de, fr)".
const EnumNames<DetokenizerLanguage>& detokenizer_language_names();

struct DetokenizeOptions {
  // Uppercase the first letter after any leading punctuation (Moses' -u): for lowercased output
  // scored against cased references. Covers ASCII, Latin-1, Latin Extended-A and the basic
  // Greek and Cyrillic letters.
  bool uppercase_first = false;
};

// The running text of one tokenized line (tokens separated by ASCII whitespace), with single
// spaces and no leading or trailing space. Invalid UTF-8 bytes are kept as they are.
std::string detokenize(std::string_view line, DetokenizerLanguage language,
                       const DetokenizeOptions& options = {});

}  // namespace ember::seq2seq
