#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/seq2seq/data/agreement_grammar.h"
#include "ember/seq2seq/data/words.h"

using namespace ember;
using namespace ember::seq2seq;

TEST_CASE("the verb agrees with the first noun, however many nouns come between") {
  CHECK(join_words(inflect_agreement(split_words("the key to the cabinets near the doors be red ."))) ==
        "the key to the cabinets near the doors is red .");
  CHECK(join_words(inflect_agreement(split_words("the old keys to the cabinet seem quiet ."))) ==
        "the old keys to the cabinet seem quiet .");
  CHECK(join_words(inflect_agreement(split_words("the dogs remain tall ."))) == "the dogs remain tall .");
  CHECK(join_words(inflect_agreement(split_words("the dog remain tall ."))) == "the dog remains tall .");
  CHECK_THROWS_WITH_AS(inflect_agreement(split_words("the dog red .")),
                       doctest::Contains("[agreement] no verb lemma in 'the dog red .'"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(inflect_agreement(split_words("be red .")),
                       doctest::Contains("[agreement] no noun of the grammar"), ember::Error);
}

TEST_CASE("facts: the distance counts the nouns, attractors those of the other number") {
  const AgreementFacts f = agreement_facts("the key to the cabinets near the door behind the lamps be red .");
  CHECK(f.distance == 4);
  CHECK(f.attractors == 2);
  CHECK_FALSE(f.plural_subject);
  const AgreementFacts g = agreement_facts("the keys be red .");
  CHECK(g.distance == 1);
  CHECK(g.attractors == 0);
  CHECK(g.plural_subject);
}

TEST_CASE("the contrastive twin swaps the inflected verb and nothing else") {
  CHECK(agreement_wrong_target("the key to the cabinets is red .") ==
        "the key to the cabinets are red .");
  CHECK(agreement_wrong_target("the keys look old .") == "the keys looks old .");
  CHECK_THROWS_WITH_AS(agreement_wrong_target("the key red ."),
                       doctest::Contains("no inflected verb in 'the key red .'"), ember::Error);
  CHECK_THROWS_WITH_AS(agreement_wrong_target("the key is are ."),
                       doctest::Contains("more than one inflected verb"), ember::Error);
}

TEST_CASE("generated sources: the distance asked for, both numbers, one lemma, attractors vary") {
  core::Generator generator(7);
  int plural_subjects = 0, with_attractors = 0, with_adjective = 0;
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    const int64_t distance = 1 + i % 5;
    const std::vector<std::string> source = make_agreement_source(distance, generator);
    const AgreementFacts facts = agreement_facts(join_words(source));
    REQUIRE(facts.distance == distance);
    CHECK(facts.attractors <= distance - 1);
    plural_subjects += facts.plural_subject;
    with_attractors += facts.attractors > 0;
    // "the N" per noun phrase, a preposition per further one, then verb, adjective and ".".
    with_adjective += static_cast<int64_t>(source.size()) > 2 * distance + (distance - 1) + 3;
    const std::vector<std::string> target = inflect_agreement(source);
    CHECK(agreement_wrong_target(join_words(target)) != join_words(target));
    CHECK(agreement_facts(join_words(target)).plural_subject == facts.plural_subject);
  }
  CHECK(plural_subjects > n / 3);
  CHECK(plural_subjects < 2 * n / 3);
  CHECK(with_attractors > n / 3);
  CHECK(with_adjective > n / 4);
  CHECK_THROWS_WITH_AS(make_agreement_source(0, generator), doctest::Contains("distance >= 1"),
                       ember::Error);
}

TEST_CASE("sentence counts grow by 4,160 a noun and saturate at the cap") {
  CHECK(agreement_sentence_count(1, 1'000'000) == 520 * 60);
  CHECK(agreement_sentence_count(2, 1'000'000'000) == 520 * 60 * 4160);
  CHECK(agreement_sentence_count(5, 1000) == 1000);
}
