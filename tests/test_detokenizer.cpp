// Moses-like detokenization (seq2seq/data/detokenizer.h), checked against what Moses'
// scripts/tokenizer/detokenizer.perl (mosesdecoder master) prints for the same lines: `perl
// detokenizer.perl -q -l LANG` and, for the third column, with -u as well.
#include <doctest/doctest.h>

#include <string>

#include "ember/core/error.h"
#include "ember/seq2seq/data/detokenizer.h"

using namespace ember::seq2seq;

namespace {

struct Case {
  DetokenizerLanguage language;
  const char* tokenized;
  const char* moses;            // detokenizer.perl -q -l LANG
  const char* moses_uppercase;  // detokenizer.perl -q -u -l LANG
};

const Case kMoses[] = {
    {DetokenizerLanguage::kEnglish, "he 's here , isn &apos;t he ?",
     "he's here, isn't he?",
     "He's here, isn't he?"},
    {DetokenizerLanguage::kEnglish, "i 'm calm .",
     "i'm calm.",
     "I'm calm."},
    {DetokenizerLanguage::kEnglish, "don 't do that !",
     "don't do that!",
     "Don't do that!"},
    {DetokenizerLanguage::kEnglish, "the jones ' house is \" big \" .",
     "the jones' house is \"big\".",
     "The jones' house is \"big\"."},
    {DetokenizerLanguage::kEnglish, "she said \" hello \" and ' bye ' .",
     "she said \"hello\" and 'bye'.",
     "She said \"hello\" and 'bye'."},
    {DetokenizerLanguage::kEnglish, "it costs $ 5 ( about € 4 ) .",
     "it costs $5 (about €4).",
     "It costs $5 (about €4)."},
    {DetokenizerLanguage::kEnglish, "a well @-@ known fact : 50 % of them ; really .",
     "a well-known fact: 50% of them; really.",
     "A well-known fact: 50% of them; really."},
    {DetokenizerLanguage::kEnglish, "what &amp; why &lt;b&gt; | &#124; &#91; x &#93;",
     "what & why <b> | | [x]",
     "What & why <b> | | [x]"},
    {DetokenizerLanguage::kEnglish, "¿ qué ? ¡ sí !",
     "¿qué? ¡sí!",
     "¿Qué? ¡sí!"},
    {DetokenizerLanguage::kEnglish, "`` quoted '' text",
     "``quoted ''text",
     "``Quoted ''text"},
    {DetokenizerLanguage::kEnglish, "1990 's music",
     "1990's music",
     "1990's music"},
    {DetokenizerLanguage::kEnglish, "' s at the start",
     "'s at the start",
     "'S at the start"},
    {DetokenizerLanguage::kEnglish, "a man in an orange hat starring at something .",
     "a man in an orange hat starring at something.",
     "A man in an orange hat starring at something."},
    {DetokenizerLanguage::kEnglish, "\" hello , \" he said .",
     "\"hello,\" he said.",
     "\"Hello,\" he said."},
    {DetokenizerLanguage::kEnglish, "he said : \" it 's mine \" , and left .",
     "he said: \"it's mine\", and left.",
     "He said: \"it's mine\", and left."},
    {DetokenizerLanguage::kFrench, "l' homme est là !",
     "l'homme est là !",
     "L'homme est là !"},
    {DetokenizerLanguage::kFrench, "qu' il vienne ; c' est tout .",
     "qu'il vienne ; c'est tout.",
     "Qu'il vienne ; c'est tout."},
    {DetokenizerLanguage::kFrench, "cours !",
     "cours !",
     "Cours !"},
    {DetokenizerLanguage::kFrench, "aujourd' hui , j' ai 50 % .",
     "aujourd'hui, j'ai 50 %.",
     "Aujourd'hui, j'ai 50 %."},
    {DetokenizerLanguage::kFrench, "est - ce que tu viens ?",
     "est - ce que tu viens ?",
     "Est - ce que tu viens ?"},
    {DetokenizerLanguage::kFrench, "\" bonjour \" , dit @-@ il .",
     "\"bonjour\", dit-il.",
     "\"Bonjour\", dit-il."},
    {DetokenizerLanguage::kFrench, "il a dit : « oui » .",
     "il a dit : « oui ».",
     "Il a dit : « oui »."},
    {DetokenizerLanguage::kFrench, "l' \" arbre \"",
     "l' \"arbre\"",
     "L' \"arbre\""},
    {DetokenizerLanguage::kGerman, "eine frau hält einen großen scheck für &quot; kids &apos; food basket &quot; .",
     "eine frau hält einen großen scheck für \"kids 'food basket\".",
     "Eine frau hält einen großen scheck für \"kids 'food basket\"."},
    {DetokenizerLanguage::kGerman, "ein kind mit der nummer &quot; 93 &quot; fährt ski .",
     "ein kind mit der nummer \"93\" fährt ski.",
     "Ein kind mit der nummer \"93\" fährt ski."},
    {DetokenizerLanguage::kGerman, "er sagt , dass es geht ( oder nicht ) !",
     "er sagt, dass es geht (oder nicht)!",
     "Er sagt, dass es geht (oder nicht)!"},
    {DetokenizerLanguage::kGerman, "„ ja “ , sagte er .",
     "„ja“, sagte er.",
     "„Ja“, sagte er."},
};

}  // namespace

TEST_CASE("detokenize: as Moses' detokenizer.perl on English, French and German edge cases") {
  for (const Case& c : kMoses) {
    INFO(detokenizer_language_names().name(c.language), ": ", c.tokenized);
    CHECK(detokenize(c.tokenized, c.language) == c.moses);
    CHECK(detokenize(c.tokenized, c.language, {.uppercase_first = true}) == c.moses_uppercase);
  }
}

TEST_CASE("detokenize: the rules that differ by language") {
  // The English clitic rule is English only; the French elision rule French only.
  CHECK(detokenize("it 's", DetokenizerLanguage::kEnglish) == "it's");
  CHECK(detokenize("it 's", DetokenizerLanguage::kFrench) == "it 's");
  CHECK(detokenize("l' homme", DetokenizerLanguage::kFrench) == "l'homme");
  CHECK(detokenize("l' homme", DetokenizerLanguage::kEnglish) == "l' homme");
  // French sets a space before ? ! : ; but not before , or .
  CHECK(detokenize("oui ? non , bien .", DetokenizerLanguage::kFrench) == "oui ? non, bien.");
  CHECK(detokenize("oui ? non , bien .", DetokenizerLanguage::kGerman) == "oui? non, bien.");
}

TEST_CASE("detokenize: whitespace, empty lines, non-ASCII first letters, bad names") {
  CHECK(detokenize("", DetokenizerLanguage::kEnglish).empty());
  CHECK(detokenize("  \t ", DetokenizerLanguage::kEnglish).empty());
  CHECK(detokenize("  a \t b  ,  c ", DetokenizerLanguage::kEnglish) == "a b, c");
  CHECK(detokenize("été .", DetokenizerLanguage::kFrench, {.uppercase_first = true}) == "Été.");
  CHECK(detokenize("œuvre", DetokenizerLanguage::kFrench, {.uppercase_first = true}) == "Œuvre");
  CHECK(detokenize("über", DetokenizerLanguage::kGerman, {.uppercase_first = true}) == "Über");
  // Cyrillic, as Moses uppercases it (a line of Tatoeba's French starts with a Cyrillic с).
  CHECK(detokenize("с' est", DetokenizerLanguage::kFrench, {.uppercase_first = true}) == "С'est");
  CHECK(detokenize("3 äpfel", DetokenizerLanguage::kGerman, {.uppercase_first = true}) ==
        "3 äpfel");  // a digit first: nothing to uppercase, as Moses' -u
  // An invalid byte is kept as it is.
  CHECK(detokenize("a \xff .", DetokenizerLanguage::kEnglish) == "a \xff.");
  CHECK(detokenizer_language_names().parse("fr") == DetokenizerLanguage::kFrench);
  CHECK_THROWS_WITH_AS(detokenizer_language_names().parse("it"),
                       "[detokenize] unknown language 'it' (expected one of: en, de, fr)",
                       ember::Error);
}
