#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/probing_corpus.h"
#include "ember/seq2seq/train/run_config.h"

using namespace ember::seq2seq;

namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

ProbingOptions small_options(const std::string& task) {
  ProbingOptions o;
  o.task = task;
  o.train_size = 600;
  o.valid_size = 60;
  o.test_size = 120;
  return o;
}

std::vector<ParallelText> splits(const ProbingCorpus& c) { return {c.train, c.valid, c.test}; }

}  // namespace

TEST_CASE("length buckets cover the range evenly, without gaps or overlaps") {
  ProbingOptions o;
  CHECK(length_buckets(o) ==
        std::vector<LengthBucket>{{5, 20}, {21, 36}, {37, 52}, {53, 68}, {69, 84}, {85, 100}});
  o.min_length = 3;
  o.max_length = 12;
  o.num_buckets = 4;  // 10 lengths: 2, 2, 3, 3
  const auto buckets = length_buckets(o);
  CHECK(buckets == std::vector<LengthBucket>{{3, 4}, {5, 6}, {7, 9}, {10, 12}});
  CHECK(bucket_index(buckets, 3) == 0);
  CHECK(bucket_index(buckets, 9) == 2);
  CHECK(bucket_index(buckets, 12) == 3);
  CHECK(bucket_index(buckets, 2) == -1);
  CHECK(bucket_index(buckets, 13) == -1);
  CHECK(bucket_label(buckets[2]) == "7-9");
  o.num_buckets = 10;
  CHECK(length_buckets(o).size() == 10);
  CHECK(length_buckets(o).back() == LengthBucket{12, 12});
  CHECK(bucket_label(length_buckets(o).back()) == "12");
}

TEST_CASE("targets are the copy, the reverse and the sorted source") {
  CHECK(apply_probing_task("copy", {"q", "b", "a"}) == std::vector<std::string>{"q", "b", "a"});
  CHECK(apply_probing_task("reverse", {"q", "b", "a"}) == std::vector<std::string>{"a", "b", "q"});
  CHECK(apply_probing_task("sort", {"q", "b", "q", "a"}) ==
        std::vector<std::string>{"a", "b", "q", "q"});
  CHECK_THROWS_WITH_AS(apply_probing_task("count", {"a"}),
                       doctest::Contains("unknown task 'count' (copy, reverse, sort, agreement, sense)"),
                       ember::Error);

  for (const std::string& task : {"copy", "reverse", "sort"}) {
    CAPTURE(task);
    const ProbingCorpus corpus = make_probing_corpus(small_options(task));
    for (const ParallelText& split : splits(corpus)) {
      for (int64_t i = 0; i < split.size(); ++i) {
        const std::vector<std::string> source = words(split.source[i]);
        std::vector<std::string> expected = source;
        if (std::string(task) == "reverse") std::reverse(expected.begin(), expected.end());
        if (std::string(task) == "sort") std::sort(expected.begin(), expected.end());
        REQUIRE(words(split.target[i]) == expected);
        REQUIRE(split.target[i].size() == split.source[i].size());  // single spaces, same tokens
      }
    }
  }
}

TEST_CASE("sizes, alphabet and lengths follow the options; every bucket is covered evenly") {
  ProbingOptions o = small_options("reverse");
  o.alphabet_size = 5;
  o.min_length = 6;
  o.max_length = 30;
  o.num_buckets = 5;
  const ProbingCorpus corpus = make_probing_corpus(o);
  CHECK(corpus.train.size() == 600);
  CHECK(corpus.valid.size() == 60);
  CHECK(corpus.test.size() == 120);
  const auto buckets = length_buckets(o);
  std::set<std::string> letters;
  std::set<int64_t> lengths;
  for (const ParallelText& split : splits(corpus)) {
    std::vector<int64_t> per_bucket(buckets.size(), 0);
    for (const std::string& source : split.source) {
      const std::vector<std::string> tokens = words(source);
      const int64_t b = bucket_index(buckets, static_cast<int64_t>(tokens.size()));
      REQUIRE(b >= 0);
      ++per_bucket[static_cast<size_t>(b)];
      lengths.insert(static_cast<int64_t>(tokens.size()));
      letters.insert(tokens.begin(), tokens.end());
    }
    for (int64_t count : per_bucket) CHECK(count == split.size() / 5);
  }
  CHECK(letters == std::set<std::string>{"a", "b", "c", "d", "e"});
  CHECK(*lengths.begin() == 6);
  CHECK(*lengths.rbegin() == 30);
  CHECK(lengths.size() == 25);  // every length of the range occurs
}

TEST_CASE("length extrapolation: the test split alone reaches 2L and 4L, in buckets of its own") {
  ProbingOptions o = small_options("copy");
  o.min_length = 4;
  o.max_length = 10;
  o.num_buckets = 2;
  o.test_max_length = 40;
  const auto buckets = length_buckets(o);
  CHECK(buckets == std::vector<LengthBucket>{{4, 6}, {7, 10}, {11, 20}, {21, 40}});
  o.test_max_length = 30;  // the last bucket is cut at the test maximum
  CHECK(length_buckets(o).back() == LengthBucket{21, 30});
  o.test_max_length = 40;
  const ProbingCorpus corpus = make_probing_corpus(o);
  const auto longest = [](const ParallelText& split) {
    size_t n = 0;
    for (const std::string& source : split.source) n = std::max(n, words(source).size());
    return static_cast<int64_t>(n);
  };
  CHECK(longest(corpus.train) <= 10);
  CHECK(longest(corpus.valid) <= 10);
  std::vector<int64_t> per_bucket(buckets.size(), 0);
  for (const std::string& source : corpus.test.source) {
    const int64_t b = bucket_index(buckets, static_cast<int64_t>(words(source).size()));
    REQUIRE(b >= 0);
    ++per_bucket[static_cast<size_t>(b)];
  }
  for (int64_t count : per_bucket) CHECK(count == corpus.test.size() / 4);
  CHECK(longest(corpus.test) > 20);
  // Without extrapolation (0, or the trained maximum itself), the corpus is the usual one.
  ProbingOptions plain = o;
  plain.test_max_length = 0;
  ProbingOptions same = o;
  same.test_max_length = 10;
  CHECK(make_probing_corpus(plain).test.source == make_probing_corpus(same).test.source);
  CHECK(length_buckets(same).size() == 2);
}

TEST_CASE("agreement: lengths are distances, every bucket covered, targets inflected") {
  ProbingOptions o = small_options("agreement");
  o.min_length = 1;
  o.max_length = 6;
  o.num_buckets = 3;
  const ProbingCorpus corpus = make_probing_corpus(o);
  const auto buckets = length_buckets(o);
  std::set<int64_t> distances;
  for (const ParallelText& split : splits(corpus)) {
    std::vector<int64_t> per_bucket(buckets.size(), 0);
    for (int64_t i = 0; i < split.size(); ++i) {
      const int64_t d = probing_length("agreement", split.source[i]);
      const int64_t b = bucket_index(buckets, d);
      REQUIRE(b >= 0);
      ++per_bucket[static_cast<size_t>(b)];
      distances.insert(d);
      REQUIRE(words(split.target[i]) == apply_probing_task("agreement", words(split.source[i])));
    }
    for (int64_t count : per_bucket) CHECK(count == split.size() / 3);
  }
  CHECK(distances == std::set<int64_t>{1, 2, 3, 4, 5, 6});
  CHECK(probing_length("copy", " a  b\tc ") == 3);
}

TEST_CASE("held-out sources are distinct and never trained on") {
  ProbingOptions o = small_options("copy");
  o.alphabet_size = 2;
  o.min_length = 9;  // 512 and 1024 sources: collisions are certain without the redraw
  o.max_length = 10;
  o.num_buckets = 1;
  o.valid_size = 100;
  o.test_size = 100;
  o.train_size = 2000;
  const ProbingCorpus corpus = make_probing_corpus(o);
  std::set<std::string> held_out(corpus.test.source.begin(), corpus.test.source.end());
  held_out.insert(corpus.valid.source.begin(), corpus.valid.source.end());
  CHECK(held_out.size() == 200);
  for (const std::string& source : corpus.train.source) REQUIRE(held_out.count(source) == 0);
}

TEST_CASE("the same seed gives the same corpus, another seed another") {
  ProbingOptions o = small_options("sort");
  const ProbingCorpus a = make_probing_corpus(o);
  const ProbingCorpus b = make_probing_corpus(o);
  CHECK(a.train.source == b.train.source);
  CHECK(a.valid.target == b.valid.target);
  CHECK(a.test.source == b.test.source);
  o.seed = 2;
  const ProbingCorpus c = make_probing_corpus(o);
  CHECK(a.train.source != c.train.source);
  CHECK(a.test.source != c.test.source);
}

TEST_CASE("bad options throw [probing_corpus]") {
  using Change = std::function<void(ProbingOptions&)>;
  const std::vector<std::pair<Change, const char*>> cases = {
      {[](ProbingOptions& o) { o.task = "count"; }, "unknown task 'count'"},
      {[](ProbingOptions& o) { o.train_size = 0; }, "sizes must be"},
      {[](ProbingOptions& o) { o.test_size = -1; }, "sizes must be"},
      {[](ProbingOptions& o) { o.min_length = 0; }, "lengths must satisfy"},
      {[](ProbingOptions& o) { o.min_length = 50, o.max_length = 40; }, "lengths must satisfy"},
      {[](ProbingOptions& o) { o.max_length = 1001; }, "lengths must satisfy"},
      {[](ProbingOptions& o) { o.num_buckets = 0; }, "buckets do not fit"},
      {[](ProbingOptions& o) { o.max_length = 7, o.num_buckets = 4; }, "buckets do not fit"},
      {[](ProbingOptions& o) { o.alphabet_size = 1; }, "alphabet_size must be in [2, 26]"},
      {[](ProbingOptions& o) { o.alphabet_size = 27; }, "alphabet_size must be in [2, 26]"},
      // 2 letters make 8 sources of length 3, fewer than twice the 4 + 4 held-out examples.
      {[](ProbingOptions& o) { o.alphabet_size = 2, o.min_length = 3; },
       "too few sources of length 3"},
      {[](ProbingOptions& o) { o.test_max_length = 99; }, "test_max_length must be 0 or in"},
      {[](ProbingOptions& o) { o.test_max_length = 1001; }, "test_max_length must be 0 or in"},
      {[](ProbingOptions& o) { o.test_max_length = -1; }, "test_max_length must be 0 or in"},
      {[](ProbingOptions& o) {
         o.task = "agreement", o.min_length = 1, o.max_length = 8, o.num_buckets = 8,
         o.test_max_length = 16;
       },
       "agreement takes no test_max_length"},
  };
  for (const auto& [change, message] : cases) {
    CAPTURE(message);
    ProbingOptions o;
    o.train_size = 10, o.valid_size = 4, o.test_size = 4;
    change(o);
    CHECK_THROWS_WITH_AS(make_probing_corpus(o), doctest::Contains(message), ember::Error);
    CHECK_THROWS_AS(length_buckets(o), ember::Error);
  }
}

TEST_CASE("the probing tasks are built-in corpora of a run config") {
  DataConfig data;
  data.builtin = "reverse";
  data.probing_train_size = 40;
  data.probing_valid_size = 12;
  data.probing_test_size = 18;
  data.probing_min_length = 5;
  data.probing_max_length = 9;
  data.probing_buckets = 3;
  data.probing_alphabet = 6;
  const ProbingOptions o = probing_options(data);
  CHECK(o.task == "reverse");
  CHECK(length_buckets(o).size() == 3);
  const ParallelText train = load_split(data, "train");
  CHECK(train.size() == 40);
  CHECK(load_split(data, "valid").size() == 12);
  const ParallelText test = load_split(data, "test");
  CHECK(test.size() == 18);
  CHECK(test.source == make_probing_corpus(o).test.source);
  for (int64_t i = 0; i < test.size(); ++i) {
    std::vector<std::string> reversed = words(test.source[i]);
    std::reverse(reversed.begin(), reversed.end());
    CHECK(words(test.target[i]) == reversed);
  }
  CHECK_THROWS_WITH_AS(load_split(data, "dev"), doctest::Contains("not 'dev'"), ember::Error);
  data.probing_alphabet = 30;
  CHECK_THROWS_WITH_AS(load_split(data, "train"), doctest::Contains("[probing_corpus]"),
                       ember::Error);
  const RunConfig parsed = run_config_from_json(
      R"({"data": {"builtin": "sort", "probing_max_length": 40, "probing_seed": 7}})");
  CHECK(parsed.data.probing_max_length == 40);
  CHECK(probing_options(parsed.data).seed == 7);
  const RunConfig extrapolating = run_config_from_json(
      R"({"data": {"builtin": "copy", "probing_max_length": 20, "probing_test_max_length": 80}})");
  CHECK(probing_options(extrapolating.data).test_max_length == 80);
  CHECK(run_config_from_json(to_json_string(extrapolating)).data.probing_test_max_length == 80);
}
