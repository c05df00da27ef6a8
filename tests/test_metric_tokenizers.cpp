// sacreBLEU's tokenizers (BLEU's 13a, intl, char, zh and TER's tercom with each option) against
// sacreBLEU 2.6.0's own output on edge cases: empty lines, Unicode, CJK, punctuation, numbers
// (tests/data/sacrebleu/tokenized.tsv, from make_expected.py), and the published values of
// sacreBLEU's test suite for the tokenizers.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/metrics/bleu_tokenizers.h"
#include "ember/seq2seq/metrics/ter.h"
#include "support/sacrebleu_fixtures.h"

using namespace ember::seq2seq;

namespace {

std::string tokenize(const std::string& kind, const std::string& line) {
  if (kind == "13a") return tokenize_13a(line);
  if (kind == "intl") return tokenize_intl(line);
  if (kind == "char") return tokenize_char(line);
  if (kind == "zh") return tokenize_zh(line);
  REQUIRE(kind.rfind("ter:", 0) == 0);
  const std::string flags = kind.substr(4) + ",";
  const auto has = [&](const std::string& f) { return flags.find(f + ",") != std::string::npos; };
  const TerOptions options{.normalized = has("normalized"),
                           .no_punct = has("no_punct"),
                           .asian_support = has("asian_support"),
                           .case_sensitive = has("case_sensitive")};
  return tokenize_tercom(line, options);
}

}  // namespace

TEST_CASE("every tokenizer gives sacreBLEU 2.6.0's tokens on the edge cases") {
  const std::vector<std::string> rows =
      read_lines((ember::testing::sacrebleu_fixtures() / "tokenized.tsv").string());
  REQUIRE(rows.size() == 400);
  std::map<std::string, int> checked;
  for (const std::string& row : rows) {
    const size_t tab1 = row.find('\t'), tab2 = row.find('\t', tab1 + 1);
    REQUIRE(tab2 != std::string::npos);
    const std::string kind = row.substr(0, tab1);
    const std::string line = row.substr(tab1 + 1, tab2 - tab1 - 1);
    const std::string expected = row.substr(tab2 + 1);
    // sacreBLEU tokenizes right-stripped lines, as BLEU and TER hand them over.
    std::string stripped = line;
    while (!stripped.empty() && stripped.back() == ' ') stripped.pop_back();
    INFO(kind << " | " << line);
    CHECK(tokenize(kind, stripped) == expected);
    ++checked[kind];
  }
  CHECK(checked.size() == 10);
}

TEST_CASE("zh counts sacreBLEU's misread five-digit ranges as Chinese, as sacreBLEU does") {
  // "\u20000" and "\u2f800" in tokenizer_zh.py are two characters each in Python; sacreBLEU
  // 2.6.0's TokenizerZh._is_chinese_char gives True for U+2014 and False for U+2000 and U+20000.
  CHECK(is_zh_tokenizer_chinese(0x2014));  // EM DASH
  CHECK(is_zh_tokenizer_chinese(0x2A6D));
  CHECK_FALSE(is_zh_tokenizer_chinese(0x2000));
  CHECK_FALSE(is_zh_tokenizer_chinese(0x20000));  // CJK Extension B itself is not
  CHECK(is_zh_tokenizer_chinese(0x4E00));
}

TEST_CASE("tokenizer scores of sacreBLEU's test suite") {
  // mjpost/sacrebleu test/test_bleu.py test_corpus_bleu_cases: {'tokenize': 'intl'} ->
  // 43.91623493 on the README example.
  const std::vector<std::string> hyps = {"The dog bit the man.", "It wasn't surprising.",
                                         "The man had just bitten him."};
  const std::vector<std::vector<std::string>> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  CHECK(std::abs(corpus_bleu(hyps, refs, {.tokenize = BleuTokenizer::kIntl}).score - 43.91623493) <
        1e-6);
  // test/test_sentence_bleu.py test_api_sentence_bleu (exp smoothing, effective order, EPSILON
  // 1e-3): intl 8.493, char 40.8759, char lowercased 42.0267.
  const std::string ref = "producţia de zahăr brut se exprimă în zahăr alb;";
  const std::string sys =
      "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
  const auto sentence = [&](BleuTokenizer tok, bool lc) {
    return sentence_bleu(sys, {ref}, {.tokenize = tok, .lowercase = lc, .effective_order = true})
        .score;
  };
  CHECK(std::abs(sentence(BleuTokenizer::kIntl, false) - 8.493) < 1e-3);
  CHECK(std::abs(sentence(BleuTokenizer::kChar, false) - 40.8759) < 1e-3);
  CHECK(std::abs(sentence(BleuTokenizer::kChar, true) - 42.0267) < 1e-3);
}
