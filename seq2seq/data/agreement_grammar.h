// Long-distance agreement with distracting nouns, on a generated grammar: the probing task that
// Linzen et al. (2016, "Assessing the ability of LSTMs to learn syntax-sensitive dependencies")
// built from English subject-verb agreement, and that Tang et al. (2018, "Why self-attention?")
// and Tran et al. (2018) score in translation models contrastively: the model's probability of
// the correct verb form against the wrong one.
//
//   source  the old key to the cabinets near the door be red .
//   target  the old key to the cabinets near the door is red .
//
// A sentence is a subject noun phrase, then prepositional phrases ("to the cabinets"), then a
// verb and an adjective. The source gives the verb as a bare lemma ("be"); the target inflects it
// for the number of the subject ("is" / "are"), so the model must carry the subject's number past
// every noun in between. Nouns are singular or plural at random; a noun between the subject and
// the verb whose number differs from the subject's is an attractor (Linzen et al.'s term). The
// distance of a sentence is the number of nouns up to the verb, the subject included: the
// subject is the distance-th noun before the verb (1: no noun in between). Every noun phrase may
// have an adjective, so the distance does not fix the number of tokens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/core/random.h"

namespace ember::seq2seq {

// The words of one source sentence of the given distance (>= 1) from the generator: the
// subject's number and each other noun's number are fair coin flips, an adjective comes with a
// noun phrase 3 times in 10.
std::vector<std::string> make_agreement_source(int64_t distance, core::Generator& generator);

// The target of a source: its verb lemma inflected for the number of its first noun. Throws
// "[agreement]" naming the sentence when it holds no noun, or not exactly one verb lemma.
std::vector<std::string> inflect_agreement(std::vector<std::string> source);

// How many different sources make_agreement_sentence can give at this distance, saturated at
// `cap` (the count grows by a factor of 4,160 a noun).
int64_t agreement_sentence_count(int64_t distance, int64_t cap);

// What a source (or target) sentence of the grammar says about its agreement.
struct AgreementFacts {
  int64_t distance = 0;    // nouns up to the verb, the subject included
  int64_t attractors = 0;  // nouns after the subject whose number differs from the subject's
  bool plural_subject = false;
};
// Throws "[agreement]" for a sentence without a noun.
AgreementFacts agreement_facts(const std::string& sentence);

// The target with its inflected verb swapped for the other number ("is" <-> "are"): the wrong
// member of the contrastive pair. Throws "[agreement]" naming the sentence when it holds no
// inflected verb, or more than one.
std::string agreement_wrong_target(const std::string& target);

}  // namespace ember::seq2seq
