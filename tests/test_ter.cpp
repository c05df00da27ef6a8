// TER against the published expected values of sacreBLEU's test suite (mjpost/sacrebleu
// test/test_ter.py, EPSILON 1e-3 on the 0..100 scale), and its shift search on cases whose edits
// can be counted by hand, and on long segments against lib_ter's counts. The edge cases of
// tests/data/sacrebleu are checked through the program (test_cli_score.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/metrics/ter.h"
#include "support/sacrebleu_fixtures.h"

using namespace ember::seq2seq;

namespace {

double corpus_ter(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                  const TerOptions& options = {}) {
  std::vector<double> sum{0.0, 0.0};
  for (size_t i = 0; i < hyps.size(); ++i) {
    const std::vector<double> s = ter_segment_stats(hyps[i], {refs[i]}, options);
    sum[0] += s[0];
    sum[1] += s[1];
  }
  return ter_from_stats(sum);
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t sp; (sp = text.find(' ', start)) != std::string::npos; start = sp + 1)
    out.push_back(text.substr(start, sp - start));
  out.push_back(text.substr(start));
  return out;
}

}  // namespace

TEST_CASE("TER matches sacreBLEU's test_ter.py") {
  const auto near = [](double a, double b) { return std::abs(a - b) < 1e-3; };
  CHECK(near(corpus_ter({"aaaa bbbb cccc dddd"}, {"aaaa bbbb cccc dddd"}), 0.0));
  CHECK(near(corpus_ter({"dddd eeee ffff"}, {"aaaa bbbb cccc"}), 100.0));
  CHECK(near(corpus_ter({""}, {"a"}), 100.0));  // empty hypothesis
  CHECK(near(corpus_ter({"a"}, {""}), 100.0));  // empty reference
  CHECK(near(corpus_ter({""}, {""}), 0.0));     // both empty: defined as 0
  CHECK(near(corpus_ter({"d e f g h a b c"}, {"a b c d e f g h"}), 100.0 / 8));  // one shift
  // A realistic example from WMT dev data (2019): 0.136.
  const std::vector<std::string> hyps = {
      "wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen "
      "oder zu entfernen , damit das Bild ungefähr dieselbe Größe aufweist wie die andere Größe .",
      "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü "
      "des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
      "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert "
      "\" und geben Sie Werte für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" ein .",
      "Sie können beispielsweise ein Dokument erstellen , das ein Auto über die Bühne enthält .",
      "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu "
      ". \""};
  const std::vector<std::string> refs = {
      "wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen "
      "oder zu entfernen , damit die Darstellung des Bildes in einer anderen Größe beibehalten "
      "wird .",
      "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü "
      "des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
      "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert "
      "\" und geben Sie für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" niedrigere "
      "Werte ein .",
      "Sie können beispielsweise ein Dokument erstellen , das ein Auto enthalt , das sich über "
      "die Bühne bewegt .",
      "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu "
      ". \""};
  CHECK(near(corpus_ter(hyps, refs), 13.6));
}

TEST_CASE("a block shift costs one edit, whatever its length") {
  CHECK(translation_edits(words("c d a b"), words("a b c d")) == 1);
  CHECK(translation_edits(words("a b c d"), words("a b c d")) == 0);
  CHECK(translation_edits(words("x y"), words("a b c")) == 3);  // 2 substitutions, 1 insertion
  CHECK(translation_edits({}, words("a b")) == 2);
  CHECK(translation_edits(words("a b"), {}) == 2);
}

TEST_CASE("TER lowercases unless case-sensitive, and averages reference lengths") {
  CHECK(ter_from_stats(ter_segment_stats("The Cat", {"the cat"}, {})) == 0.0);
  CHECK(ter_from_stats(ter_segment_stats("The Cat", {"the cat"}, {.case_sensitive = true})) ==
        100.0);
  // Fewest edits over the references (0, against "a b"), mean length (2 + 4) / 2.
  const std::vector<double> s = ter_segment_stats("a b", {"a b", "a b c d"}, {});
  CHECK(s == std::vector<double>{0.0, 3.0});
  CHECK_THROWS_AS(ter_segment_stats("a", {}, {}), ember::Error);
  CHECK_THROWS_AS(ter_from_stats({1.0}), ember::Error);
}

TEST_CASE("edit counts on long and uneven segments match sacreBLEU's lib_ter") {
  // tests/data/sacrebleu/ter_edits.tsv (make_expected.py): 5 to 200 words of a 14-word
  // vocabulary, blocks moved: the beam, its widening and the 1000-candidate limit all act.
  const std::vector<std::string> rows =
      read_lines((ember::testing::sacrebleu_fixtures() / "ter_edits.tsv").string());
  REQUIRE(rows.size() == 7);
  for (const std::string& row : rows) {
    const size_t t1 = row.find('\t'), t2 = row.find('\t', t1 + 1), t3 = row.find('\t', t2 + 1);
    const std::string hyp = row.substr(0, t1), ref = row.substr(t1 + 1, t2 - t1 - 1);
    INFO(row.substr(t2 + 1));
    CHECK(translation_edits(words(hyp), words(ref)) == std::stoll(row.substr(t2 + 1, t3 - t2 - 1)));
    CHECK(static_cast<int64_t>(words(ref).size()) == std::stoll(row.substr(t3 + 1)));
  }
}
