// Word-sense disambiguation at a distance, on a generated grammar: the third of Tang et al.'s
// (2018, "Why self-attention?") targeted tests, where they found Transformers clearly ahead of
// RNNs and CNNs. They score it on ContraWSD (Rios Gonzales et al., 2017), real German sentences
// whose ambiguous nouns have contrastive translations; that corpus is not on these machines, so
// this grammar builds the same test with the distance to the disambiguating word under control.
//
//   source  the old bank near the lamp beside the river seems red .
//   target  the old shore near the lamp beside the river seems red .
//
// A sentence is a chain of noun phrases joined by prepositions, then a verb and an adjective. One
// noun is ambiguous ("bank", "crane", "bass", "mouse"), and its translation in the target names
// its sense ("shore" or "lender" for "bank"): which one is decided by a cue noun elsewhere in the
// sentence ("river" or "loan"), the other nouns being neutral. Every other word is copied. The
// distance of a sentence is the number of nouns from the ambiguous one to its cue, the cue
// included (1: the next or previous noun phrase); the cue comes after the ambiguous noun in half
// the sentences and before it in the others, so a decoder cannot always have written the cue
// before it must choose the sense.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/core/random.h"

namespace ember::seq2seq {

// The words of one source sentence of the given distance (>= 1): the ambiguous noun, its sense,
// the cue, the side of the cue, the neutral nouns between, prepositions and verb are uniform
// draws; an adjective comes with a noun phrase 3 times in 10.
std::vector<std::string> make_sense_source(int64_t distance, core::Generator& generator);

// The target of a source: every word copied but the ambiguous noun, which becomes the word of the
// sense its cue names. Throws "[sense]" naming the sentence unless it holds exactly one
// ambiguous noun and exactly one cue.
std::vector<std::string> translate_senses(std::vector<std::string> source);

// How many different sources make_sense_source can give at this distance, saturated at `cap`.
int64_t sense_sentence_count(int64_t distance, int64_t cap);

// What a source sentence says about its ambiguity.
struct SenseFacts {
  int64_t distance = 0;     // nouns from the ambiguous noun to its cue, the cue included
  bool cue_after = false;   // the cue follows the ambiguous noun
};
// Throws "[sense]" naming the sentence unless it holds exactly one ambiguous noun and one cue.
SenseFacts sense_facts(const std::string& source);

// The target with its sense word swapped for the other sense of the same noun ("shore" <->
// "lender"): the wrong member of the contrastive pair. Throws "[sense]" naming the sentence
// unless it holds exactly one sense word.
std::string sense_wrong_target(const std::string& target);

}  // namespace ember::seq2seq
