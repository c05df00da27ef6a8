// The agreement grammar's words, its sentences and the facts read back from them.
#include "ember/seq2seq/data/agreement_grammar.h"

#include <algorithm>
#include <array>

#include "ember/core/error.h"
#include "ember/seq2seq/data/words.h"

namespace ember::seq2seq {
namespace {

// Nouns whose plural adds "s" (no singular form ends in "s").
constexpr std::array<const char*, 20> kNouns = {
    "key",    "cabinet", "dog",    "author",  "table", "window", "friend",
    "teacher", "book",   "letter", "garden",  "road",  "house",  "bird",
    "farmer", "student", "painting", "river", "lamp",  "door"};
constexpr std::array<const char*, 8> kPrepositions = {"to",   "near",   "behind", "of",
                                                      "with", "under", "beside", "above"};
constexpr std::array<const char*, 12> kAdjectives = {"red",   "old",   "small",  "quiet",
                                                     "new",   "green", "heavy",  "bright",
                                                     "cold",  "famous", "empty", "tall"};
struct Verb {
  const char* lemma;
  const char* singular;
  const char* plural;
};
constexpr std::array<Verb, 5> kVerbs = {{{"be", "is", "are"},
                                         {"seem", "seems", "seem"},
                                         {"look", "looks", "look"},
                                         {"remain", "remains", "remain"},
                                         {"become", "becomes", "become"}}};

template <size_t N>
const char* pick(const std::array<const char*, N>& words, core::Generator& generator) {
  return words[static_cast<size_t>(generator.randint(static_cast<int64_t>(N)))];
}

// "the [adjective] noun[s]".
void noun_phrase(std::vector<std::string>* words, core::Generator& generator) {
  words->push_back("the");
  if (generator.randint(10) < 3) words->push_back(pick(kAdjectives, generator));
  const bool plural = generator.randint(2) == 1;
  words->push_back(std::string(pick(kNouns, generator)) + (plural ? "s" : ""));
}

// Whether `word` is a noun of the grammar, and if so whether it is plural.
bool is_noun(const std::string& word, bool* plural) {
  for (const char* noun : kNouns) {
    if (word == noun || word == std::string(noun) + "s") {
      *plural = word.size() != std::string(noun).size();
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> make_agreement_source(int64_t distance, core::Generator& generator) {
  EMBER_CHECK(distance >= 1, "[agreement] a sentence needs a distance >= 1, got {}", distance);
  std::vector<std::string> words;
  noun_phrase(&words, generator);
  for (int64_t i = 1; i < distance; ++i) {
    words.push_back(pick(kPrepositions, generator));
    noun_phrase(&words, generator);
  }
  words.push_back(kVerbs[static_cast<size_t>(generator.randint(kVerbs.size()))].lemma);
  words.push_back(pick(kAdjectives, generator));
  words.push_back(".");
  return words;
}

std::vector<std::string> inflect_agreement(std::vector<std::string> source) {
  const AgreementFacts facts = agreement_facts(join_words(source));
  std::string* lemma = nullptr;
  const Verb* which = nullptr;
  for (std::string& word : source) {
    for (const Verb& verb : kVerbs) {
      if (word != verb.lemma) continue;
      EMBER_CHECK(lemma == nullptr, "[agreement] more than one verb lemma in '{}'",
                  join_words(source));
      lemma = &word;
      which = &verb;
    }
  }
  EMBER_CHECK(lemma != nullptr, "[agreement] no verb lemma in '{}'", join_words(source));
  *lemma = facts.plural_subject ? which->plural : which->singular;
  return source;
}

int64_t agreement_sentence_count(int64_t distance, int64_t cap) {
  // A noun phrase: (1 + adjectives) x nouns x 2 numbers; a further one also a preposition.
  const int64_t phrase = static_cast<int64_t>((1 + kAdjectives.size()) * kNouns.size() * 2);
  int64_t count = phrase * static_cast<int64_t>(kVerbs.size() * kAdjectives.size());
  for (int64_t i = 1; i < distance && count < cap; ++i) {
    count *= phrase * static_cast<int64_t>(kPrepositions.size());
  }
  return std::min(count, cap);
}

AgreementFacts agreement_facts(const std::string& sentence) {
  AgreementFacts facts;
  for (const std::string& word : split_words(sentence)) {
    bool plural = false;
    if (!is_noun(word, &plural)) continue;
    if (facts.distance == 0) {
      facts.plural_subject = plural;
    } else if (plural != facts.plural_subject) {
      ++facts.attractors;
    }
    ++facts.distance;
  }
  EMBER_CHECK(facts.distance > 0, "[agreement] no noun of the grammar in '{}'", sentence);
  return facts;
}

std::string agreement_wrong_target(const std::string& target) {
  std::vector<std::string> words = split_words(target);
  std::string* inflected = nullptr;
  const char* other = nullptr;
  for (std::string& word : words) {
    for (const Verb& verb : kVerbs) {
      const char* swap = word == verb.singular ? verb.plural : word == verb.plural ? verb.singular
                                                                                    : nullptr;
      if (swap == nullptr) continue;
      EMBER_CHECK(inflected == nullptr, "[agreement] more than one inflected verb in '{}'",
                  target);
      inflected = &word;
      other = swap;
    }
  }
  EMBER_CHECK(inflected != nullptr, "[agreement] no inflected verb in '{}'", target);
  *inflected = other;
  return join_words(words);
}

}  // namespace ember::seq2seq
