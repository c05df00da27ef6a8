// The Porter stemmer against NLTK 3.8's PorterStemmer (the stemmer of rouge-score's use_stemmer):
// tests/data/porter/stems.tsv, written by make_stems.py there, holds 11,595 words and NLTK's
// stems of them, NLTK's departures from Porter's paper and the paper's own examples included.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "ember/seq2seq/metrics/porter_stemmer.h"
#include "support/test_data.h"

using ember::seq2seq::porter_stem;

TEST_CASE("Porter stems equal NLTK's on every word of tests/data/porter/stems.tsv") {
  std::ifstream in(ember::testing::test_data_dir() / "porter" / "stems.tsv");
  REQUIRE(in.good());
  int64_t words = 0, wrong = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string word = line.substr(0, tab), expected = line.substr(tab + 1);
    const std::string stem = porter_stem(word);
    ++words;
    if (stem != expected) {
      ++wrong;
      if (wrong <= 10) CHECK_MESSAGE(stem == expected, word, " -> ", stem, ", NLTK: ", expected);
    }
  }
  CHECK(words > 11000);
  CHECK(wrong == 0);
}

TEST_CASE("Porter stems of the paper's rules and NLTK's own forms") {
  // Porter (1980), steps 1a to 5b, one example each; then NLTK's extensions.
  CHECK(porter_stem("caresses") == "caress");
  CHECK(porter_stem("ponies") == "poni");
  CHECK(porter_stem("agreed") == "agre");  // 1b gives agree, 5a drops the e (m = 1, not *o)
  CHECK(porter_stem("hopping") == "hop");
  CHECK(porter_stem("filing") == "file");
  CHECK(porter_stem("relational") == "relat");
  CHECK(porter_stem("adoption") == "adopt");
  CHECK(porter_stem("controlling") == "control");
  CHECK(porter_stem("ties") == "tie");     // NLTK: -ies of four letters
  CHECK(porter_stem("enjoy") == "enjoy");  // NLTK: no y -> i after a vowel
  CHECK(porter_stem("using") == "use");    // NLTK: "us" counts as *o (the paper gives us)
  CHECK(porter_stem("dying") == "die");    // NLTK's irregular forms
  CHECK(porter_stem("at") == "at");        // two letters: unchanged
  CHECK(porter_stem("") == "");
  CHECK(porter_stem("1990s") == "1990");  // digits count as consonants
}
