// The matched-size lineup of the comparison lab: the seven contenders in order, each of its
// architecture and score, each count equal to its built model's, and every count within 10% of
// the LSTM's, at both sizes and at small and large vocabularies.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/seq2seq/lab/lineup.h"
#include "ember/seq2seq/models/factory.h"

using namespace ember;
using namespace ember::seq2seq;

TEST_CASE("lineup: seven contenders within 10% of the LSTM's parameter count") {
  const std::vector<std::string> names = {"lstm",         "lstm+dot",      "lstm+scaled_dot",
                                          "lstm+general", "lstm+additive", "convs2s",
                                          "transformer"};
  struct Vocabs {
    int64_t src, tgt;
  };
  for (const std::string size : {"tiny", "small"}) {
    for (const Vocabs v : {Vocabs{40, 20}, Vocabs{3000, 2000}}) {
      CAPTURE(size);
      CAPTURE(v.src);
      const std::vector<lab::Contender> models = lab::lineup(size, v.src, v.tgt);
      REQUIRE(models.size() == names.size());
      const double reference = static_cast<double>(models[0].parameters);
      for (size_t i = 0; i < models.size(); ++i) {
        const lab::Contender& c = models[i];
        CAPTURE(c.name);
        CHECK(c.name == names[i]);
        CHECK(c.model.src_vocab_size == v.src);
        CHECK(c.model.tgt_vocab_size == v.tgt);
        CHECK(c.parameters == make_model(c.model)->num_parameters());
        CHECK(std::abs(static_cast<double>(c.parameters) / reference - 1.0) <= 0.1);
      }
      CHECK(models[0].model.architecture == Architecture::kRnn);
      CHECK(models[0].model.cell == CellType::kLstm);
      const AttentionScore scores[] = {AttentionScore::kDot, AttentionScore::kScaledDot,
                                       AttentionScore::kGeneral, AttentionScore::kAdditive};
      for (size_t i = 0; i < 4; ++i) {
        CHECK(models[i + 1].model.architecture == Architecture::kRnnAttention);
        CHECK(models[i + 1].model.cell == CellType::kLstm);
        CHECK(models[i + 1].model.attention == scores[i]);
      }
      CHECK(models[5].model.architecture == Architecture::kConvS2S);
      CHECK(models[6].model.architecture == Architecture::kTransformer);
    }
  }
}

TEST_CASE("lineup: depth comes from the preset, only the width moves") {
  const std::vector<lab::Contender> models = lab::lineup("small", 500, 500);
  for (const lab::Contender& c : models) {
    const ModelConfig p = preset(c.model.architecture, "small");
    CAPTURE(c.name);
    CHECK(c.model.encoder_layers == p.encoder_layers);
    CHECK(c.model.decoder_layers == p.decoder_layers);
    CHECK(c.model.dropout == p.dropout);
  }
  // The reference keeps the preset's widths; the Transformer's ff stays 2 d.
  CHECK(models[0].model.hidden_size == preset(Architecture::kRnn, "small").hidden_size);
  CHECK(models[6].model.feedforward_dim == 2 * models[6].model.hidden_size);
  CHECK(models[6].model.hidden_size % models[6].model.num_heads == 0);
}

TEST_CASE("lineup: the closest width on the grid, not just one within 10%") {
  // One grid step either way moves the count further from the reference.
  const std::vector<lab::Contender> models = lab::lineup("tiny", 60, 60);
  const int64_t target = models[0].parameters;
  for (size_t i = 1; i < models.size(); ++i) {
    const lab::Contender& c = models[i];
    CAPTURE(c.name);
    const int64_t step = c.model.architecture == Architecture::kTransformer ? c.model.num_heads : 2;
    for (int64_t delta : {-step, step}) {
      ModelConfig other = c.model;
      other.hidden_size += delta;
      if (other.hidden_size <= 0) continue;
      if (other.architecture == Architecture::kTransformer) {
        other.embedding_dim = other.hidden_size;
        other.feedforward_dim = 2 * other.hidden_size;
      } else {
        other.embedding_dim = other.hidden_size / 2;
      }
      CHECK(std::llabs(lab::count_parameters(other) - target) >= std::llabs(c.parameters - target));
    }
  }
}

TEST_CASE("lineup: counting leaves the random generator alone; bad arguments throw [lab]") {
  core::manual_seed(7);
  const uint64_t before = core::default_generator().next_u64();
  core::manual_seed(7);
  lab::lineup("tiny", 30, 30);
  CHECK(core::default_generator().next_u64() == before);

  CHECK_THROWS_WITH_AS(lab::lineup("base", 30, 30), doctest::Contains("[lab]"), ember::Error);
  CHECK_THROWS_WITH_AS(lab::lineup("huge", 30, 30), doctest::Contains("tiny or small"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(lab::lineup("tiny", 4, 30), doctest::Contains("[lab]"), ember::Error);
}
