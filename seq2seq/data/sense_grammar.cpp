// The sense grammar's words, its sentences and the facts read back from them.
#include "ember/seq2seq/data/sense_grammar.h"

#include <algorithm>
#include <array>

#include "ember/core/error.h"
#include "ember/seq2seq/data/words.h"

namespace ember::seq2seq {
namespace {

// An ambiguous noun, the target word of each of its two senses, and four cues for each sense.
struct Ambiguous {
  const char* noun;
  std::array<const char*, 2> sense;
  std::array<std::array<const char*, 4>, 2> cues;
};
constexpr std::array<Ambiguous, 4> kAmbiguous = {{
    {"bank", {"shore", "lender"}, {{{"river", "reeds", "boat", "mud"},
                                    {"loan", "coin", "account", "cashier"}}}},
    {"crane", {"bird", "hoist"}, {{{"nest", "feather", "marsh", "egg"},
                                   {"steel", "cargo", "truck", "girder"}}}},
    {"bass", {"fish", "instrument"}, {{{"lake", "hook", "bait", "net"},
                                       {"song", "band", "concert", "drum"}}}},
    {"mouse", {"rodent", "device"}, {{{"cheese", "cat", "hole", "tail"},
                                      {"screen", "keyboard", "cable", "laptop"}}}},
}};
// Nouns that say nothing of any sense.
constexpr std::array<const char*, 12> kNeutral = {"key",  "table", "window", "friend",
                                                  "teacher", "book", "letter", "garden",
                                                  "road", "house", "lamp",   "door"};
constexpr std::array<const char*, 8> kPrepositions = {"to",   "near",  "behind", "of",
                                                      "with", "under", "beside", "above"};
constexpr std::array<const char*, 12> kAdjectives = {"red",  "old",   "small",  "quiet",
                                                     "new",  "green", "heavy",  "bright",
                                                     "cold", "famous", "empty", "tall"};
constexpr std::array<const char*, 4> kVerbs = {"is", "seems", "looks", "remains"};

template <class T, size_t N>
const T& pick(const std::array<T, N>& items, core::Generator& generator) {
  return items[static_cast<size_t>(generator.randint(static_cast<int64_t>(N)))];
}

// "the [adjective] noun".
void noun_phrase(const char* noun, std::vector<std::string>* words, core::Generator& generator) {
  words->push_back("the");
  if (generator.randint(10) < 3) words->push_back(pick(kAdjectives, generator));
  words->push_back(noun);
}

bool is_neutral(const std::string& word) {
  return std::find(kNeutral.begin(), kNeutral.end(), word) != kNeutral.end();
}

// Where a sentence's ambiguous noun and cue are, counted in nouns, and what they are.
struct Reading {
  const Ambiguous* ambiguous = nullptr;
  int64_t ambiguous_noun = -1, cue_noun = -1;
  size_t ambiguous_word = 0;
  int cue_sense = -1;
};

Reading read_sentence(const std::vector<std::string>& words) {
  Reading r;
  int64_t nouns = 0, ambiguous_count = 0, cue_count = 0;
  const Ambiguous* cue_of = nullptr;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    bool noun = is_neutral(word);
    for (const Ambiguous& a : kAmbiguous) {
      if (word == a.noun) {
        noun = true;
        ++ambiguous_count;
        r.ambiguous = &a;
        r.ambiguous_noun = nouns;
        r.ambiguous_word = i;
      }
      for (int s = 0; s < 2; ++s) {
        if (std::find(a.cues[s].begin(), a.cues[s].end(), word) == a.cues[s].end()) continue;
        noun = true;
        ++cue_count;
        cue_of = &a;
        r.cue_noun = nouns;
        r.cue_sense = s;
      }
    }
    nouns += noun;
  }
  const std::string sentence = join_words(words);
  EMBER_CHECK(ambiguous_count == 1, "[sense] '{}' holds {} ambiguous nouns, not one", sentence,
              ambiguous_count);
  EMBER_CHECK(cue_count == 1, "[sense] '{}' holds {} cues, not one", sentence, cue_count);
  EMBER_CHECK(cue_of == r.ambiguous, "[sense] in '{}' the cue is not one of {}'s", sentence,
              r.ambiguous->noun);
  return r;
}

}  // namespace

std::vector<std::string> make_sense_source(int64_t distance, core::Generator& generator) {
  EMBER_CHECK(distance >= 1, "[sense] a sentence needs a distance >= 1, got {}", distance);
  const Ambiguous& ambiguous = pick(kAmbiguous, generator);
  const auto sense = static_cast<size_t>(generator.randint(2));
  const char* cue = pick(ambiguous.cues[sense], generator);
  const bool cue_after = generator.randint(2) == 1;
  std::vector<std::string> words;
  for (int64_t n = 0; n <= distance; ++n) {  // nouns 0 and `distance` are the pair
    if (n > 0) words.push_back(pick(kPrepositions, generator));
    const char* noun = n == 0        ? (cue_after ? ambiguous.noun : cue)
                       : n == distance ? (cue_after ? cue : ambiguous.noun)
                                       : pick(kNeutral, generator);
    noun_phrase(noun, &words, generator);
  }
  words.push_back(pick(kVerbs, generator));
  words.push_back(pick(kAdjectives, generator));
  words.push_back(".");
  return words;
}

std::vector<std::string> translate_senses(std::vector<std::string> source) {
  const Reading r = read_sentence(source);
  source[r.ambiguous_word] = r.ambiguous->sense[static_cast<size_t>(r.cue_sense)];
  return source;
}

int64_t sense_sentence_count(int64_t distance, int64_t cap) {
  // The pair: the noun, its sense's cue, the side; each noun phrase 13 ways (with one of 12
  // adjectives or none); each further noun phrase a preposition, and the ones between also a
  // neutral noun; then a verb and an adjective.
  const int64_t phrase = static_cast<int64_t>(1 + kAdjectives.size());
  int64_t count = static_cast<int64_t>(kAmbiguous.size() * 2 * 4 * 2) * phrase * phrase *
                  static_cast<int64_t>(kPrepositions.size() * kVerbs.size() * kAdjectives.size());
  for (int64_t i = 1; i < distance && count < cap; ++i) {
    count *= phrase * static_cast<int64_t>(kNeutral.size() * kPrepositions.size());
  }
  return std::min(count, cap);
}

SenseFacts sense_facts(const std::string& source) {
  const Reading r = read_sentence(split_words(source));
  return {.distance = std::abs(r.cue_noun - r.ambiguous_noun),
          .cue_after = r.cue_noun > r.ambiguous_noun};
}

std::string sense_wrong_target(const std::string& target) {
  std::vector<std::string> words = split_words(target);
  std::string* found = nullptr;
  const char* other = nullptr;
  for (std::string& word : words) {
    for (const Ambiguous& a : kAmbiguous) {
      for (size_t s = 0; s < 2; ++s) {
        if (word != a.sense[s]) continue;
        EMBER_CHECK(found == nullptr, "[sense] more than one sense word in '{}'", target);
        found = &word;
        other = a.sense[1 - s];
      }
    }
  }
  EMBER_CHECK(found != nullptr, "[sense] no sense word in '{}'", target);
  *found = other;
  return join_words(words);
}

}  // namespace ember::seq2seq
