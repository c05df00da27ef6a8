// Porter's five steps, each a list of suffix rules. Porter's terms: a consonant is a letter other
// than a, e, i, o, u, and other than a y after a consonant; a word is [C](VC)^m[V] with C a run of
// consonants and V of vowels, and m its "measure" (tree 0, trouble 1, troubles 2). A rule list
// is tried in order and the FIRST rule whose suffix the word ends with decides: if its condition
// on the rest (the "stem") fails, the word is left as it is, later rules are not tried.
//
// NLTK's extensions over the 1980 paper, all kept here because rouge-score runs them: a pool of
// irregular forms (dying -> die, skies -> sky), ies and ied on four-letter words (ties -> tie),
// y -> i only after a consonant that is not the whole stem (enjoy stays), bli -> ble (not
// abli -> able), alli -> al applied before step 2's list, fulli -> ful and logi -> log in step
// 2, and a two-letter stem vowel-consonant counting as *o (the cvc test of steps 1b and 5a).
#include "ember/seq2seq/metrics/porter_stemmer.h"

#include <iterator>
#include <utility>
#include <vector>

namespace ember::seq2seq {
namespace {

bool ends_with(std::string_view word, std::string_view suffix) {
  return word.size() >= suffix.size() && word.substr(word.size() - suffix.size()) == suffix;
}

std::string_view drop(std::string_view word, size_t count) {
  return word.substr(0, word.size() - count);
}

bool is_vowel_letter(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// consonant[i] for every letter of the word: y is a consonant first and after a vowel.
std::vector<bool> consonants(std::string_view word) {
  std::vector<bool> consonant(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    if (is_vowel_letter(word[i])) {
      consonant[i] = false;
    } else if (word[i] == 'y') {
      consonant[i] = i == 0 || !consonant[i - 1];
    } else {
      consonant[i] = true;
    }
  }
  return consonant;
}

// m: the number of vowel-to-consonant changes, the VC pairs of [C](VC)^m[V].
int measure(std::string_view stem) {
  const std::vector<bool> consonant = consonants(stem);
  int m = 0;
  for (size_t i = 1; i < consonant.size(); ++i) m += !consonant[i - 1] && consonant[i];
  return m;
}

// *v*: the stem holds a vowel.
bool contains_vowel(std::string_view stem) {
  for (bool consonant : consonants(stem))
    if (!consonant) return true;
  return false;
}

// *d: the word ends with a doubled consonant (hopp, tann).
bool ends_double_consonant(std::string_view word) {
  const size_t n = word.size();
  return n >= 2 && word[n - 1] == word[n - 2] && consonants(word)[n - 1];
}

// *o: the word ends consonant-vowel-consonant, the last not w, x or y (hop, wil); NLTK adds a
// whole word of vowel then consonant, so that step 1b gives using -> use (the paper: us).
bool ends_cvc(std::string_view word) {
  const size_t n = word.size();
  const std::vector<bool> c = consonants(word);
  if (n >= 3 && c[n - 3] && !c[n - 2] && c[n - 1] && word[n - 1] != 'w' && word[n - 1] != 'x' &&
      word[n - 1] != 'y')
    return true;
  return n == 2 && !c[0] && c[1];
}

struct Rule {
  std::string_view suffix;
  std::string_view replacement;
  int min_measure;  // the stem's measure must exceed this: 0 for (m > 0), 1 for (m > 1)
};
constexpr int kAlways = -1;  // no condition

// The first rule whose suffix ends the word decides (module comment).
std::string apply_rules(std::string_view word, const Rule* rules, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!ends_with(word, rules[i].suffix)) continue;
    const std::string_view stem = drop(word, rules[i].suffix.size());
    if (measure(stem) > rules[i].min_measure)
      return std::string(stem) + std::string(rules[i].replacement);
    return std::string(word);
  }
  return std::string(word);
}

// Step 1a, plurals: caresses -> caress, ponies -> poni, ties -> tie (NLTK), cats -> cat.
std::string step1a(std::string_view word) {
  if (ends_with(word, "ies") && word.size() == 4) return std::string(drop(word, 3)) + "ie";
  static constexpr Rule kRules[] = {
      {"sses", "ss", kAlways}, {"ies", "i", kAlways}, {"ss", "ss", kAlways}, {"s", "", kAlways}};
  return apply_rules(word, kRules, std::size(kRules));
}

// Step 1b, -ed and -ing: agreed -> agree, plastered -> plaster, motoring -> motor, then
// conflat(ed) -> conflate, hopp(ing) -> hop, fil(ing) -> file.
std::string step1b(std::string_view word) {
  if (ends_with(word, "ied")) return std::string(drop(word, 3)) + (word.size() == 4 ? "ie" : "i");
  if (ends_with(word, "eed")) {
    const std::string_view stem = drop(word, 3);
    return measure(stem) > 0 ? std::string(stem) + "ee" : std::string(word);
  }
  std::string_view stem;
  bool removed = false;
  for (std::string_view suffix : {std::string_view("ed"), std::string_view("ing")}) {
    if (ends_with(word, suffix) && contains_vowel(drop(word, suffix.size()))) {
      stem = drop(word, suffix.size());
      removed = true;
      break;
    }
  }
  if (!removed) return std::string(word);
  for (std::string_view suffix :
       {std::string_view("at"), std::string_view("bl"), std::string_view("iz")}) {
    if (ends_with(stem, suffix)) return std::string(stem) + "e";
  }
  if (ends_double_consonant(stem)) {
    const char last = stem.back();
    if (last == 'l' || last == 's' || last == 'z') return std::string(stem);  // fall, hiss, fizz
    return std::string(drop(stem, 1));
  }
  if (measure(stem) == 1 && ends_cvc(stem)) return std::string(stem) + "e";
  return std::string(stem);
}

// Step 1c: happy -> happi, after a consonant that is not the whole stem (NLTK: sky, enjoy stay).
std::string step1c(std::string_view word) {
  if (!ends_with(word, "y")) return std::string(word);
  const std::string_view stem = drop(word, 1);
  if (stem.size() > 1 && consonants(stem).back()) return std::string(stem) + "i";
  return std::string(word);
}

// Step 2, double suffixes to single ones, for (m > 0): relational -> relate, hopefulness ->
// hopeful.
std::string step2(std::string_view word) {
  if (ends_with(word, "alli") && measure(drop(word, 4)) > 0)
    return step2(std::string(drop(word, 4)) + "al");  // NLTK: radicalli -> radical, then again
  // NLTK's logi -> log, last in its list (no earlier suffix ends -ogi), tests the measure of the
  // word without "ogi" (its stem keeps the l).
  if (ends_with(word, "logi"))
    return measure(drop(word, 3)) > 0 ? std::string(drop(word, 1)) : std::string(word);
  static constexpr Rule kRules[] = {
      {"ational", "ate", 0}, {"tional", "tion", 0}, {"enci", "ence", 0},   {"anci", "ance", 0},
      {"izer", "ize", 0},    {"bli", "ble", 0},     {"alli", "al", 0},     {"entli", "ent", 0},
      {"eli", "e", 0},       {"ousli", "ous", 0},   {"ization", "ize", 0}, {"ation", "ate", 0},
      {"ator", "ate", 0},    {"alism", "al", 0},    {"iveness", "ive", 0}, {"fulness", "ful", 0},
      {"ousness", "ous", 0}, {"aliti", "al", 0},    {"iviti", "ive", 0},   {"biliti", "ble", 0},
      {"fulli", "ful", 0}};
  return apply_rules(word, kRules, std::size(kRules));
}

// Step 3, for (m > 0): triplicate -> triplic, formative -> form, goodness -> good.
std::string step3(std::string_view word) {
  static constexpr Rule kRules[] = {{"icate", "ic", 0}, {"ative", "", 0},  {"alize", "al", 0},
                                    {"iciti", "ic", 0}, {"ical", "ic", 0}, {"ful", "", 0},
                                    {"ness", "", 0}};
  return apply_rules(word, kRules, std::size(kRules));
}

// Step 4, single suffixes off, for (m > 1): revival -> reviv, adjustment -> adjust; -ion only
// after s or t (adoption -> adopt).
std::string step4(std::string_view word) {
  // -ion sits in the middle of Porter's list, but no suffix before it ends -ion.
  if (ends_with(word, "ion")) {
    const std::string_view stem = drop(word, 3);
    const bool s_or_t = !stem.empty() && (stem.back() == 's' || stem.back() == 't');
    return measure(stem) > 1 && s_or_t ? std::string(stem) : std::string(word);
  }
  static constexpr Rule kRules[] = {
      {"al", "", 1},   {"ance", "", 1}, {"ence", "", 1}, {"er", "", 1},    {"ic", "", 1},
      {"able", "", 1}, {"ible", "", 1}, {"ant", "", 1},  {"ement", "", 1}, {"ment", "", 1},
      {"ent", "", 1},  {"ou", "", 1},   {"ism", "", 1},  {"ate", "", 1},   {"iti", "", 1},
      {"ous", "", 1},  {"ive", "", 1},  {"ize", "", 1}};
  return apply_rules(word, kRules, std::size(kRules));
}

// Step 5a, a final e off for (m > 1), or for (m = 1 and not *o): probate -> probat, cease ->
// ceas, rate stays.
std::string step5a(std::string_view word) {
  if (!ends_with(word, "e")) return std::string(word);
  const std::string_view stem = drop(word, 1);
  const int m = measure(stem);
  if (m > 1 || (m == 1 && !ends_cvc(stem))) return std::string(stem);
  return std::string(word);
}

// Step 5b, (m > 1) ll -> l: controll -> control, roll stays.
std::string step5b(std::string_view word) {
  if (ends_with(word, "ll") && measure(drop(word, 1)) > 1) return std::string(drop(word, 1));
  return std::string(word);
}

// NLTK's irregular forms, stemmed by lookup before any step.
constexpr std::pair<std::string_view, std::string_view> kIrregular[] = {
    {"sky", "sky"},        {"skies", "sky"},       {"dying", "die"},        {"lying", "lie"},
    {"tying", "tie"},      {"news", "news"},       {"innings", "inning"},   {"inning", "inning"},
    {"outings", "outing"}, {"outing", "outing"},   {"cannings", "canning"}, {"canning", "canning"},
    {"howe", "howe"},      {"proceed", "proceed"}, {"exceed", "exceed"},    {"succeed", "succeed"}};

}  // namespace

std::string porter_stem(std::string_view word) {
  for (const auto& [form, stem] : kIrregular)
    if (word == form) return std::string(stem);
  if (word.size() <= 2) return std::string(word);
  return step5b(step5a(step4(step3(step2(step1c(step1b(step1a(word))))))));
}

}  // namespace ember::seq2seq
