#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/chrf.h"
#include "ember/seq2seq/metrics/python_text.h"
#include "ember/seq2seq/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

bool near(double a, double b, double tolerance) { return std::abs(a - b) < tolerance; }

struct Case {
  std::vector<std::string> hypotheses;
  std::vector<std::string> references;  // one reference stream
  double expected;
};

}  // namespace

TEST_CASE("corpus chrF with epsilon smoothing matches sacreBLEU's test suite") {
  // mjpost/sacrebleu test/test_chrf.py, test_cases: char_order=6, word_order=0, beta=3,
  // eps_smoothing=True, tolerance 1e-4 there.
  const std::vector<Case> cases = {
      {{"abcdefg"}, {"hijklmnop"}, 0.0},
      {{"a"}, {"b"}, 0.0},
      {{""}, {"b"}, 0.0},
      {{""}, {"ref"}, 0.0},
      {{""}, {"reference"}, 0.0},
      {{"aa"}, {"ab"}, 8.3333},
      {{"a", "b"}, {"a", "c"}, 8.3333},
      {{"a"}, {"a"}, 16.6667},
      {{"a b c"}, {"a b c"}, 50.0},
      {{"a b c"}, {"abc"}, 50.0},
      {{" risk assessment must be made of those who are qualified and expertise in the sector - "
        "these are the scientists ."},
       {"risk assessment has to be undertaken by those who are qualified and expert in that area "
        "- that is the scientists ."},
       63.361730},
      {{" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "},
       {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."},
       64.1302698},
      {{"Niemand hat die Absicht, eine Mauer zu errichten"},
       {"Niemand hat die Absicht, eine Mauer zu errichten"},
       100.0}};
  const ChrfOptions options{.beta = 3, .eps_smoothing = true};
  for (const Case& c : cases) {
    CAPTURE(c.hypotheses[0]);
    CHECK(near(corpus_chrf(c.hypotheses, {c.references}, options).score, c.expected, 1e-4));
  }
}

TEST_CASE("corpus chrF with effective-order averaging (the default) matches sacreBLEU") {
  // mjpost/sacrebleu test/test_chrf.py, test_cases_effective_order: beta=3, eps_smoothing=False.
  const std::vector<Case> cases = {
      {{"a"}, {"a"}, 100.0},       {{""}, {"reference"}, 0.0}, {{"a b c"}, {"a b c"}, 100.0},
      {{"a b c"}, {"abc"}, 100.0}, {{""}, {"c"}, 0.0},         {{"a", "b"}, {"a", "c"}, 50.0},
      {{"aa"}, {"ab"}, 25.0}};
  for (const Case& c : cases) {
    CAPTURE(c.hypotheses[0]);
    CHECK(near(corpus_chrf(c.hypotheses, {c.references}, {.beta = 3}).score, c.expected, 1e-4));
  }
}

TEST_CASE("chrF keeping whitespace matches sacreBLEU") {
  // mjpost/sacrebleu test/test_chrf.py, test_cases_keep_whitespace: beta=3, whitespace kept.
  const std::vector<Case> cases = {
      {{"Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."},
       {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."},
       67.3481606},
      {{"risk assessment must be made of those who are qualified and expertise in the sector - "
        "these are the scientists ."},
       {"risk assessment has to be undertaken by those who are qualified and expert in that area "
        "- that is the scientists ."},
       65.2414427}};
  for (const Case& c : cases) {
    const ChrfOptions options{.beta = 3, .whitespace = true};
    CHECK(near(corpus_chrf(c.hypotheses, {c.references}, options).score, c.expected, 1e-4));
  }
}

TEST_CASE("sentence chrF on Czech text matches sacreBLEU") {
  // mjpost/sacrebleu test/test_chrf.py, test_sentence_level_chrf: beta 2, eps_smoothing=True.
  const std::vector<Case> cases = {
      {{"Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře."},
       {"Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře."},
       39.14078509},
      {{"Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři."},
       {"A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři."},
       31.22557079},
      {{"Lapali po dechu, jejich životy skončily dřív, než skutečně začaly."},
       {"Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli."},
       57.15704367}};
  for (const Case& c : cases) {
    const ChrfScore chrf = sentence_chrf(c.hypotheses[0], c.references, {.eps_smoothing = true});
    CHECK(near(chrf.score, c.expected, 1e-4));
  }
}

TEST_CASE("corpus chrF2 with two references matches sacreBLEU's README") {
  // mjpost/sacrebleu README.md: chrf.corpus_score(sys, refs) -> chrF2 = 59.73, signature
  // nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no (the README's chrF signature).
  const std::vector<std::string> hyps = {"The dog bit the man.", "It wasn't surprising.",
                                         "The man had just bitten him."};
  const std::vector<std::vector<std::string>> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  const ChrfScore chrf = corpus_chrf(hyps, refs);
  CHECK(chrf.format() ==
        std::string("chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:ember-") +
            version() + " = 59.73");
  CHECK(chrf.stats.size() == 18);
}

TEST_CASE("chrF++ adds word n-grams (hand-computed)") {
  // "thecat" vs "thedog": character precision = recall 1/2, 2/5, 1/4, 0, 0, 0; words "the cat"
  // vs "the dog": 1/2, 0. Eight effective orders, P = R = 1.65 / 8, chrF2++ = 20.625.
  const ChrfScore chrf = sentence_chrf("the cat", {"the dog"}, {.word_order = 2});
  CHECK(near(chrf.score, 20.625, 1e-9));
  CHECK(chrf.name == "chrF2++");
  // Punctuation at a word's edge is split off: "dog." matches "dog".
  const ChrfScore punct = sentence_chrf("the dog.", {"the dog ."}, {.word_order = 2});
  CHECK(near(punct.score, 100.0, 1e-9));
}

TEST_CASE("chrF keeps the best reference per segment, lowercases on request") {
  CHECK(near(sentence_chrf("abc", {"xyz", "abc"}).score, 100.0, 1e-9));
  CHECK(near(sentence_chrf("ABC ÉTÉ", {"abc été"}, {.lowercase = true}).score, 100.0, 1e-9));
  CHECK(sentence_chrf("ABC", {"abc"}).score == 0.0);
  CHECK(python_text::remove_whitespace(" a\tb\u00A0c\n") == "abc");
}

TEST_CASE("chrF rejects malformed inputs") {
  CHECK_THROWS_WITH_AS(corpus_chrf({"a", "b"}, {{"a"}}), doctest::Contains("[chrf]"), Error);
  CHECK_THROWS_WITH_AS(corpus_chrf({"a"}, {}), doctest::Contains("[chrf]"), Error);
  CHECK_THROWS_WITH_AS(corpus_chrf({}, {{}}), doctest::Contains("[chrf]"), Error);
  CHECK_THROWS_WITH_AS(corpus_chrf({"a"}, {{""}}), doctest::Contains("[chrf]"), Error);
  CHECK_THROWS_WITH_AS(sentence_chrf("a", {"a"}, {.char_order = 0}), doctest::Contains("[chrf]"),
                       Error);
  CHECK_THROWS_WITH_AS(sentence_chrf("a", {"a"}, {.beta = -1}), doctest::Contains("[chrf]"), Error);
}
