#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/metrics/python_text.h"
#include "ember/seq2seq/seq2seq.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

// sacreBLEU's signature ends with the version of the implementation: ember's (signature.h).
const std::string kVersion = std::string("|version:ember-") + version();

bool near(double a, double b, double tolerance) { return std::abs(a - b) < tolerance; }

// The README example of mjpost/sacrebleu (README.md "Using SacreBLEU from Python"), also the
// corpus cases of test/test_bleu.py: two reference streams.
const std::vector<std::string> kHyps = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
const std::vector<std::vector<std::string>> kRefs = {
    {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

// sacreBLEU's raw_corpus_bleu(hyps, refs, smooth_value): floor smoothing, no tokenisation,
// effective order (sacrebleu/compat.py).
BleuOptions raw_options(std::optional<double> smooth_value) {
  return {.tokenize = BleuTokenizer::kNone,
          .smooth = BleuSmoothing::kFloor,
          .smooth_value = smooth_value,
          .effective_order = true};
}

BleuStats make_stats(std::vector<int64_t> correct, std::vector<int64_t> total, int64_t sys_len,
                     int64_t ref_len) {
  BleuStats stats;
  stats.correct = std::move(correct);
  stats.total = std::move(total);
  stats.sys_len = sys_len;
  stats.ref_len = ref_len;
  return stats;
}

}  // namespace

TEST_CASE("corpus BLEU matches sacreBLEU's README example, score line and signature") {
  // mjpost/sacrebleu README.md: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944
  // hyp_len = 17 ref_len = 18), signature nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp;
  // test/test_bleu.py: 48.530827 (default, tokenize='13a' and smooth_method='none').
  const BleuScore bleu = corpus_bleu(kHyps, kRefs);
  CHECK(near(bleu.score, 48.530827, 1e-6));
  CHECK(bleu.signature == "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp" + kVersion);
  CHECK(bleu.format() == "BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp" + kVersion +
                             " = 48.53 82.4/50.0/45.5/37.5 "
                             "(BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)");
  CHECK(bleu.stats.sys_len == 17);
  CHECK(bleu.stats.ref_len == 18);
  const BleuScore no_smoothing = corpus_bleu(kHyps, kRefs, {.smooth = BleuSmoothing::kNone});
  CHECK(near(no_smoothing.score, 48.530827, 1e-6));
}

TEST_CASE("corpus BLEU with tokenize=none matches sacreBLEU") {
  // mjpost/sacrebleu test/test_bleu.py: {'tokenize': 'none'} -> 49.1919566.
  const BleuScore bleu = corpus_bleu(kHyps, kRefs, {.tokenize = BleuTokenizer::kNone});
  CHECK(near(bleu.score, 49.1919566, 1e-6));
  CHECK(bleu.signature == "nrefs:2|case:mixed|eff:no|tok:none|smooth:exp" + kVersion);
}

TEST_CASE("corpus BLEU with a variable number of references matches sacreBLEU's README") {
  // mjpost/sacrebleu README.md "Variable Number of References": BLEU = 29.44
  // 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19), nrefs:var.
  auto refs = kRefs;
  refs[0][0] = "";
  const BleuScore bleu = corpus_bleu(kHyps, refs);
  CHECK(bleu.format() == "BLEU|nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp" + kVersion +
                             " = 29.44 82.4/42.9/27.3/12.5 "
                             "(BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)");
}

TEST_CASE("corpus BLEU of max n-gram orders 1..6 matches sacreBLEU") {
  // mjpost/sacrebleu test/test_bleu.py, test_bleu_max_order.
  const std::vector<std::string> expected = {"77.65", "60.50", "53.93", "48.53", "46.14", "43.28"};
  for (int order = 1; order <= 6; ++order) {
    const BleuScore bleu = corpus_bleu(kHyps, kRefs, {.max_ngram_order = order});
    CHECK(fmt::format("{:.2f}", bleu.score) == expected[order - 1]);
    CHECK(bleu.precisions.size() == static_cast<size_t>(order));
  }
}

TEST_CASE("empty hypotheses are scored, not dropped: BLEU 0") {
  // mjpost/sacrebleu test/test_bleu.py: (('', '', ''), refs) -> 0.0.
  const BleuScore bleu = corpus_bleu({"", "", ""}, kRefs);
  CHECK(bleu.score == 0.0);
  CHECK(bleu.bp == 0.0);
  CHECK(bleu.stats.sys_len == 0);
}

TEST_CASE("raw corpus BLEU cases of sacreBLEU's test suite") {
  // mjpost/sacrebleu test/test_bleu.py: test_raw_bleu, test_effective_order (smooth_value .01),
  // scores divided by 100 there.
  const BleuOptions raw = raw_options(0.01);
  CHECK(corpus_bleu({"this is a test", "another test"}, {{"ref1", "ref2"}}, raw).score == 0.0);
  CHECK(near(corpus_bleu({"this is a test"}, {{"this is a test"}}, raw).score, 100.0, 1e-6));
  CHECK(near(corpus_bleu({"this is a fest"}, {{"this is a test"}}, raw).score, 22.3606797749979,
             1e-6));
  CHECK(near(corpus_bleu({"test"}, {{"a test"}}, raw).score, 36.78794411714425, 1e-6));
  CHECK(near(corpus_bleu({"a test"}, {{"a test"}}, raw).score, 100.0, 1e-6));
  CHECK(near(corpus_bleu({"a little test"}, {{"a test"}}, raw).score, 3.218297948685433, 1e-6));
}

TEST_CASE("n-gram statistics and floor offsets match sacreBLEU") {
  // mjpost/sacrebleu test/test_bleu.py: test_statistics ([4, 2, 1, 0] / [6, 5, 4, 3]) and
  // test_offset (0.1555722182 with the default floor 0.1, 0 with floor 0).
  const std::vector<std::string> hyp = {"am I am a character sequence"};
  const std::vector<std::vector<std::string>> ref = {{"I am a symbol string sequence a a"}};
  const BleuScore with_default = corpus_bleu(hyp, ref, raw_options(std::nullopt));
  CHECK(with_default.stats.correct == std::vector<int64_t>{4, 2, 1, 0});
  CHECK(with_default.stats.total == std::vector<int64_t>{6, 5, 4, 3});
  CHECK(near(with_default.score, 15.55722182, 1e-6));
  CHECK(with_default.signature ==
        "nrefs:1|case:mixed|eff:yes|tok:none|smooth:floor[0.10]" + kVersion);
  CHECK(corpus_bleu(hyp, ref, raw_options(0.0)).score == 0.0);
}

TEST_CASE("compute_bleu from statistics matches sacreBLEU, degenerate statistics give 0") {
  // mjpost/sacrebleu test/test_bleu.py: test_scoring (0.8375922397, smooth_method='none') and
  // test_degenerate_statistics (floor smoothing).
  const BleuScore bleu = compute_bleu(make_stats({9, 7, 5, 3}, {10, 8, 6, 4}, 11, 11),
                                      {.smooth = BleuSmoothing::kNone});
  CHECK(near(bleu.score, 83.75922397, 1e-6));
  struct Degenerate {
    BleuStats stats;
    double offset;
  };
  const std::vector<Degenerate> cases = {{make_stats({0, 0, 0, 0}, {4, 4, 2, 1}, 0, 1), 0.0},
                                         {make_stats({0, 0, 0, 0}, {10, 11, 12, 0}, 14, 10), 0.0},
                                         {make_stats({0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0), 0.0},
                                         {make_stats({6, 5, 4, 0}, {6, 5, 4, 3}, 6, 6), 0.0},
                                         {make_stats({0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0), 0.1},
                                         {make_stats({0, 0, 0, 0}, {0, 0, 0, 0}, 1, 5), 0.01}};
  for (const Degenerate& c : cases) {
    const BleuOptions floor{.smooth = BleuSmoothing::kFloor, .smooth_value = c.offset};
    CHECK(compute_bleu(c.stats, floor).score == 0.0);
  }
}

TEST_CASE("sentence BLEU with every smoothing method matches sacreBLEU") {
  // mjpost/sacrebleu test/test_sentence_bleu.py (example of issue #98), effective order,
  // tolerance 1e-3 there.
  const std::string ref = "producţia de zahăr brut se exprimă în zahăr alb;";
  const std::string sys =
      "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
  struct Case {
    BleuSmoothing smooth;
    std::optional<double> value;
    BleuTokenizer tokenize;
    double expected;
  };
  const std::vector<Case> cases = {
      {BleuSmoothing::kExp, std::nullopt, BleuTokenizer::k13a, 8.493},
      {BleuSmoothing::kNone, std::nullopt, BleuTokenizer::k13a, 0.0},
      {BleuSmoothing::kFloor, std::nullopt, BleuTokenizer::k13a, 4.51688},
      {BleuSmoothing::kFloor, 0.1, BleuTokenizer::k13a, 4.51688},
      {BleuSmoothing::kFloor, 0.5, BleuTokenizer::k13a, 10.10},
      {BleuSmoothing::kAddK, std::nullopt, BleuTokenizer::k13a, 14.882},
      {BleuSmoothing::kAddK, 1.0, BleuTokenizer::k13a, 14.882},
      {BleuSmoothing::kAddK, 2.0, BleuTokenizer::k13a, 21.389},
      {BleuSmoothing::kExp, std::nullopt, BleuTokenizer::kNone, 7.347}};
  for (const Case& c : cases) {
    const BleuOptions options{.tokenize = c.tokenize,
                              .smooth = c.smooth,
                              .smooth_value = c.value,
                              .effective_order = true};
    CHECK(near(sentence_bleu(sys, {ref}, options).score, c.expected, 1e-3));
  }
  // sentence_bleu's defaults are exp smoothing with effective order.
  CHECK(near(sentence_bleu(sys, {ref}).score, 8.493, 1e-3));
}

TEST_CASE("sentence BLEU without any match is 0 whatever the smoothing") {
  // mjpost/sacrebleu test/test_sentence_bleu.py (example of issue #141).
  for (BleuSmoothing smooth :
       {BleuSmoothing::kExp, BleuSmoothing::kNone, BleuSmoothing::kFloor, BleuSmoothing::kAddK}) {
    const BleuOptions options{.smooth = smooth, .effective_order = true};
    CHECK(sentence_bleu("this is a cat", {"okay thanks"}, options).score == 0.0);
  }
}

TEST_CASE("a hypothesis longer than its reference has no brevity penalty") {
  // Hand-computed: precisions 6/7, 5/6, 4/5, 3/4, BLEU = (3/7)^(1/4) = 0.809107...
  const BleuScore bleu =
      corpus_bleu({"the cat sat on the mat today"}, {{"the cat sat on the mat"}});
  CHECK(bleu.bp == 1.0);
  CHECK(near(bleu.score, 100.0 * std::pow(3.0 / 7.0, 0.25), 1e-9));
  // Shorter: BP = exp(1 - 7/6); all four precisions are 1.
  const BleuScore short_bleu =
      corpus_bleu({"the cat sat on the mat"}, {{"the cat sat on the mat today"}});
  CHECK(near(short_bleu.score, 100.0 * std::exp(1.0 - 7.0 / 6.0), 1e-9));
}

TEST_CASE("the closest reference length, the shorter one on a tie") {
  // Hypothesis of 4 tokens; references of 3 and 5 tokens are equally close: 3 is used.
  const BleuScore bleu = corpus_bleu({"a b c d"}, {{"a b c"}, {"a b c d e"}});
  CHECK(bleu.stats.ref_len == 3);
  CHECK(corpus_bleu({"a b c d"}, {{"a b c"}, {"x y z w"}}).stats.ref_len == 4);
}

TEST_CASE("13a tokenisation follows mteval-v13a") {
  CHECK(tokenize_13a("Hello, world!") == "Hello , world !");
  CHECK(tokenize_13a("It costs $5.00.") == "It costs $ 5.00 .");
  CHECK(tokenize_13a("1,000 people, 3.5 km") == "1,000 people , 3.5 km");
  CHECK(tokenize_13a("well-known 1990-2000") == "well-known 1990 - 2000");
  CHECK(tokenize_13a("it's (really) \"odd\"") == "it's ( really ) \" odd \"");
  CHECK(tokenize_13a("&quot;a&quot; &amp; b &lt;c&gt;") == "\" a \" & b < c >");
  CHECK(tokenize_13a("x<skipped>y hy-\nphen\nnext") == "xy hyphen next");
  CHECK(tokenize_13a("e.g. U.S.") == "e . g . U . S .");
  CHECK(tokenize_13a("  many   spaces\t") == "many spaces");
  CHECK(tokenize_13a("élan, façade.") == "élan , façade .");
  CHECK(tokenize_13a("") == "");
}

TEST_CASE("BLEU tokens: rstrip first, Python whitespace, tokenize=none keeps punctuation") {
  // The line is right-stripped before 13a, so a trailing "-\n" is not a hyphenation.
  CHECK(bleu_tokens("foo-\n", {}) == std::vector<std::string>{"foo-"});
  const BleuOptions none{.tokenize = BleuTokenizer::kNone};
  CHECK(bleu_tokens("a man sleeps .", none) == std::vector<std::string>{"a", "man", "sleeps", "."});
  // U+00A0 and U+3000 are whitespace for Python's str.split().
  CHECK(bleu_tokens("a\u00A0b\u3000c", none) == std::vector<std::string>{"a", "b", "c"});
  CHECK(python_text::rstrip("ab \u2003\n") == "ab");
}

TEST_CASE("lowercased BLEU folds case, also beyond ASCII") {
  const BleuOptions lc{.lowercase = true, .effective_order = true};
  const BleuScore bleu = sentence_bleu("The DOG ÉTÉ", {"the dog été"}, lc);
  CHECK(near(bleu.score, 100.0, 1e-9));
  CHECK(bleu.signature == "nrefs:1|case:lc|eff:yes|tok:13a|smooth:exp" + kVersion);
  CHECK(sentence_bleu("The DOG", {"the dog"}).score < 100.0);
  CHECK(python_text::lower("ÀÉÎÕÜ ŁŚŻ ΑΒΓ ДЖЯ İ") == "àéîõü łśż αβγ джя i\u0307");
}

TEST_CASE("BleuStats add up over segments") {
  BleuStats sum;
  sum += bleu_segment_stats("a b c", {"a b c"}, {});
  sum += bleu_segment_stats("a b", {"a c"}, {});
  CHECK(sum.sys_len == 5);
  CHECK(sum.ref_len == 5);
  CHECK(sum.correct == std::vector<int64_t>{4, 2, 1, 0});
  CHECK(sum.total == std::vector<int64_t>{5, 3, 1, 0});
  CHECK_THROWS_WITH_AS(sum += bleu_segment_stats("a", {"a"}, {.max_ngram_order = 2}),
                       doctest::Contains("[bleu]"), Error);
}

TEST_CASE("BLEU rejects malformed inputs and names") {
  CHECK_THROWS_WITH_AS(corpus_bleu({"a", "b"}, {{"a"}}), doctest::Contains("[bleu]"), Error);
  CHECK_THROWS_WITH_AS(corpus_bleu({"a"}, {}), doctest::Contains("[bleu]"), Error);
  CHECK_THROWS_WITH_AS(corpus_bleu({}, {{}}), doctest::Contains("[bleu]"), Error);
  CHECK_THROWS_WITH_AS(corpus_bleu({"a"}, {{""}, {""}}), doctest::Contains("[bleu]"), Error);
  CHECK_THROWS_WITH_AS(corpus_bleu({"a"}, {{"a"}}, {.max_ngram_order = 0}),
                       doctest::Contains("[bleu]"), Error);
  CHECK_THROWS_WITH_AS(bleu_segment_stats("a", {}, {}), doctest::Contains("[bleu]"), Error);
  CHECK_THROWS_WITH_AS(compute_bleu(make_stats({1}, {1}, 1, 1), {}), doctest::Contains("[bleu]"),
                       Error);
  CHECK_THROWS_WITH_AS(bleu_tokenizer_from_name("v14"), doctest::Contains("[bleu]"), Error);
  CHECK_THROWS_WITH_AS(bleu_smoothing_from_name("add_k"), doctest::Contains("[bleu]"), Error);
  CHECK(bleu_tokenizer_from_name("none") == BleuTokenizer::kNone);
  CHECK(bleu_tokenizer_from_name("13a") == BleuTokenizer::k13a);
  CHECK(bleu_tokenizer_from_name("intl") == BleuTokenizer::kIntl);
  CHECK(bleu_tokenizer_from_name("char") == BleuTokenizer::kChar);
  CHECK(bleu_tokenizer_from_name("zh") == BleuTokenizer::kZh);
  CHECK(bleu_smoothing_from_name("exp") == BleuSmoothing::kExp);
  CHECK(bleu_smoothing_from_name("floor") == BleuSmoothing::kFloor);
  CHECK(bleu_smoothing_from_name("add-k") == BleuSmoothing::kAddK);
  CHECK(bleu_smoothing_from_name("none") == BleuSmoothing::kNone);
  CHECK(sentence_bleu("a", {"a"}, {.smooth = BleuSmoothing::kAddK}).signature ==
        "nrefs:1|case:mixed|eff:no|tok:13a|smooth:add-k[1.00]" + kVersion);
}
