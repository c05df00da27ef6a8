#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/seq2seq/data/probing_corpus.h"
#include "ember/seq2seq/data/sense_grammar.h"
#include "ember/seq2seq/data/words.h"

using namespace ember;
using namespace ember::seq2seq;

TEST_CASE("the ambiguous noun takes the sense its cue names, before or after it, near or far") {
  CHECK(join_words(translate_senses(split_words("the old bank near the river seems red ."))) ==
        "the old shore near the river seems red .");
  CHECK(join_words(translate_senses(split_words("the loan to the key beside the bank is tall ."))) ==
        "the loan to the key beside the lender is tall .");
  CHECK(join_words(translate_senses(split_words("the mouse with the door of the cable looks new ."))) ==
        "the device with the door of the cable looks new .");
  CHECK(join_words(translate_senses(split_words("the crane under the nest remains cold ."))) ==
        "the bird under the nest remains cold .");
}

TEST_CASE("a sentence needs exactly one ambiguous noun and one cue of its own") {
  CHECK_THROWS_WITH_AS(translate_senses(split_words("the key near the river is red .")),
                       doctest::Contains("holds 0 ambiguous nouns, not one"), ember::Error);
  CHECK_THROWS_WITH_AS(translate_senses(split_words("the bank near the bass by the river is red .")),
                       doctest::Contains("holds 2 ambiguous nouns"), ember::Error);
  CHECK_THROWS_WITH_AS(translate_senses(split_words("the bank near the key is red .")),
                       doctest::Contains("holds 0 cues, not one"), ember::Error);
  CHECK_THROWS_WITH_AS(translate_senses(split_words("the bank near the river by the loan is red .")),
                       doctest::Contains("holds 2 cues"), ember::Error);
  CHECK_THROWS_WITH_AS(sense_facts("the bank near the cheese is red ."),
                       doctest::Contains("the cue is not one of bank's"), ember::Error);
}

TEST_CASE("facts: the distance counts the nouns from the ambiguous one to the cue") {
  const SenseFacts after = sense_facts("the bank near the key behind the old lamp to the river is red .");
  CHECK(after.distance == 3);
  CHECK(after.cue_after);
  const SenseFacts before = sense_facts("the drum near the bass is red .");
  CHECK(before.distance == 1);
  CHECK_FALSE(before.cue_after);
}

TEST_CASE("the contrastive twin swaps the sense and nothing else") {
  CHECK(sense_wrong_target("the old shore near the river is red .") ==
        "the old lender near the river is red .");
  CHECK(sense_wrong_target("the instrument by the song looks new .") ==
        "the fish by the song looks new .");
  CHECK_THROWS_WITH_AS(sense_wrong_target("the key is red ."),
                       doctest::Contains("no sense word in 'the key is red .'"), ember::Error);
  CHECK_THROWS_WITH_AS(sense_wrong_target("the shore by the fish is red ."),
                       doctest::Contains("more than one sense word"), ember::Error);
}

TEST_CASE("generated sentences have the distance asked for, both cue sides and both senses") {
  core::Generator generator(7);
  std::set<bool> sides;
  std::set<std::string> targets;
  for (int64_t distance = 1; distance <= 8; ++distance) {
    for (int i = 0; i < 50; ++i) {
      const std::vector<std::string> source = make_sense_source(distance, generator);
      const SenseFacts facts = sense_facts(join_words(source));
      CHECK(facts.distance == distance);
      sides.insert(facts.cue_after);
      for (const std::string& w : translate_senses(source)) {
        if (w == "shore" || w == "lender") targets.insert(w);
      }
    }
  }
  CHECK(sides.size() == 2);
  CHECK(targets == std::set<std::string>{"shore", "lender"});
  CHECK_THROWS_WITH_AS(make_sense_source(0, generator), doctest::Contains("distance >= 1"),
                       ember::Error);
}

TEST_CASE("the sense corpus buckets by distance and refuses extrapolation") {
  ProbingOptions o;
  o.task = "sense";
  o.train_size = 40;
  o.valid_size = 8;
  o.test_size = 16;
  o.min_length = 1;
  o.max_length = 4;
  o.num_buckets = 4;
  const ProbingCorpus corpus = make_probing_corpus(o);
  std::vector<int64_t> per_distance(4, 0);
  for (size_t i = 0; i < corpus.test.source.size(); ++i) {
    per_distance[static_cast<size_t>(probing_length("sense", corpus.test.source[i]) - 1)] += 1;
    CHECK(corpus.test.target[i] == join_words(translate_senses(split_words(corpus.test.source[i]))));
  }
  CHECK(per_distance == std::vector<int64_t>{4, 4, 4, 4});
  CHECK(is_grammar_task("sense"));
  CHECK_FALSE(is_grammar_task("copy"));
  o.test_max_length = 8;
  CHECK_THROWS_WITH_AS(make_probing_corpus(o), doctest::Contains("sense takes no test_max_length"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(contrastive_twin("copy", "a b"), doctest::Contains("no contrastive twin"),
                       ember::Error);
}
