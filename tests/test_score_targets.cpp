// Forced decoding (score_targets, seq2seq/train/evaluation.h): the model's log P of given targets
// through its teacher-forced loss, checked against the same sum taken step by step through the
// incremental decoder (start/step, what greedy and beam search run), for every architecture.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/seq2seq/data/vocab_tokenizer.h"
#include "ember/seq2seq/models/factory.h"
#include "ember/seq2seq/train/evaluation.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

const std::vector<std::string> kLines = {"abc", "ba", "cab", "aaaa", "c", "bcabca"};

std::shared_ptr<Seq2SeqModel> tiny_model(Architecture arch, const Tokenizer& tok) {
  ModelConfig c = preset(arch, "tiny");
  c.src_vocab_size = c.tgt_vocab_size = tok.vocab_size();
  c.embedding_dim = 8;
  c.hidden_size = 16;
  return make_model(c);
}

// log P(target </s> | source) summed one decoder step at a time. source ends with </s>.
double stepped_log_prob(Seq2SeqModel& model, const std::vector<int64_t>& source,
                        std::vector<int64_t> target) {
  NoGradGuard no_grad;
  const auto length = static_cast<int64_t>(source.size());
  std::unique_ptr<DecoderState> state = model.start(IndexArray(source, {1, length}), {length});
  target.push_back(kEosId);
  double sum = 0.0;
  int64_t previous = kBosId;
  for (int64_t y : target) {
    const NDArray logp =
        model.step(IndexArray(std::vector<int64_t>{previous}), *state).data().contiguous();
    sum += logp.data()[y];
    previous = y;
  }
  return sum;
}

}  // namespace

TEST_CASE("score_targets: the greedy output scores the sum of greedy's per-step log-probs") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  int64_t total_finished = 0;
  for (const Architecture arch : {Architecture::kRnn, Architecture::kRnnAttention,
                                  Architecture::kTransformer, Architecture::kConvS2S}) {
    INFO(static_cast<int>(arch));
    auto model = tiny_model(arch, tok);
    model->eval();
    const DecodeOptions options{.max_len = {0.0, 6}};
    const std::vector<Translation> out = translate(*model, tok, tok, kLines, options);
    const std::vector<TargetScore> scores =
        score_targets(*model, tok, tok, kLines, hypotheses(out), options);
    REQUIRE(scores.size() == kLines.size());
    int64_t finished = 0;
    for (size_t i = 0; i < kLines.size(); ++i) {
      INFO(kLines[i], " -> ", out[i].text);
      CHECK(scores[i].tokens == static_cast<int64_t>(tok.encode(out[i].text).size()) + 1);
      CHECK_FALSE(scores[i].source_cut);
      // Every target, step by step through the incremental decoder.
      const std::vector<int64_t> target = tok.encode(out[i].text);
      CHECK(scores[i].log_prob ==
            doctest::Approx(stepped_log_prob(*model, out[i].source, target)).epsilon(1e-4));
      // An output that ended with </s> (shorter than the limit, no <unk> to re-read) is scored
      // exactly what greedy search summed on its way.
      if (out[i].tokens.size() < 6 && target == out[i].tokens) {
        ++finished;
        CHECK(scores[i].log_prob == doctest::Approx(out[i].log_prob).epsilon(1e-4));
      }
    }
    total_finished += finished;
  }
  CHECK(total_finished > 0);  // the comparison with greedy's own sum took place
}

TEST_CASE("score_targets: batched as alone, empty targets, <unk>, cut sources") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = tiny_model(Architecture::kTransformer, tok);
  model->train();
  const std::vector<std::string> targets = {"a", "", "bbbb", "c", "zz", "abcabc"};
  const std::vector<TargetScore> all =
      score_targets(*model, tok, tok, kLines, targets, {.max_tokens = 12});
  CHECK(model->is_training());  // the mode is restored
  for (size_t i = 0; i < kLines.size(); ++i) {
    INFO(i);
    CHECK(score_targets(*model, tok, tok, {kLines[i]}, {targets[i]})[0].log_prob ==
          doctest::Approx(all[i].log_prob).epsilon(1e-5));
    CHECK(all[i].log_prob < 0.0);
  }
  model->eval();
  std::vector<int64_t> source = tok.encode("ba");
  source.push_back(kEosId);
  CHECK(all[1].tokens == 1);  // the empty target: </s> alone
  CHECK(all[1].log_prob == doctest::Approx(stepped_log_prob(*model, source, {})).epsilon(1e-4));
  CHECK(all[4].unknown == 2);  // 'z' is not in the vocabulary
  CHECK(all[0].unknown == 0);
  const auto cut =
      score_targets(*model, tok, tok, {"aaaa"}, {"a"}, {.max_source_tokens = 2});
  CHECK(cut[0].source_cut);
  CHECK(cut[0].log_prob ==
        doctest::Approx(score_targets(*model, tok, tok, {"aa"}, {"a"})[0].log_prob)
            .epsilon(1e-5));
}

TEST_CASE("score_targets refuses what it cannot score, naming the line") {
  const CharTokenizer tok = CharTokenizer::train(kLines);
  auto model = tiny_model(Architecture::kRnnAttention, tok);
  CHECK_THROWS_WITH_AS(score_targets(*model, tok, tok, {"a", "b"}, {"a"}),
                       "[score_targets] 2 sources for 1 targets (need one target a source)",
                       ember::Error);
  CHECK_THROWS_WITH_AS(score_targets(*model, tok, tok, {"a", " "}, {"a", "b"}),
                       doctest::Contains("[score_targets] line 2: the source has no tokens"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      score_targets(*model, tok, tok, {"a"}, {"abcab"}, {.max_output_tokens = 4}),
      "[score_targets] line 1: the target has 5 tokens, more than the 4 the model's decoder reads",
      ember::Error);
  CHECK_THROWS_WITH_AS(score_targets(*model, tok, tok, {"a"}, {"a"}, {.max_tokens = 0}),
                       doctest::Contains("[translate]"), ember::Error);
  CHECK(score_targets(*model, tok, tok, {}, {}).empty());
}
