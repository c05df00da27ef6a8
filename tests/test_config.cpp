// ModelConfig: presets, names, validation, the JSON form, the summary line, and the input checks
// and source-row map the models share.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/seq2seq/models/config.h"

using namespace ember;
using namespace ember::seq2seq;

namespace {

void check_invalid(const ModelConfig& c, const std::string& what) {
  CHECK_THROWS_WITH_AS(validate(c), doctest::Contains("[model_config]"), Error);
  CHECK_THROWS_WITH_AS(validate(c), doctest::Contains(what.c_str()), Error);
}

}  // namespace

TEST_CASE("presets hold the documented sizes") {
  const ModelConfig t = preset(Architecture::kTransformer, "small");
  CHECK(t.hidden_size == 256);
  CHECK(t.num_heads == 8);
  CHECK(t.feedforward_dim == 512);
  CHECK(t.encoder_layers == 3);
  CHECK(t.decoder_layers == 3);
  CHECK(t.norm_first);
  CHECK(t.tie_embeddings);
  const ModelConfig base = preset(Architecture::kTransformer, "base");
  CHECK(base.hidden_size == 512);
  CHECK(base.feedforward_dim == 2048);
  CHECK(base.encoder_layers == 6);
  const ModelConfig r = preset(Architecture::kRnnAttention, "tiny");
  CHECK(r.embedding_dim == 32);
  CHECK(r.hidden_size == 64);
  CHECK(r.cell == CellType::kGru);
  CHECK(r.attention == AttentionScore::kAdditive);
  CHECK_FALSE(r.tie_embeddings);
  const ModelConfig c = preset(Architecture::kConvS2S, "small");
  CHECK(c.encoder_layers == 10);
  CHECK(c.hidden_size == 512);
  CHECK(c.kernel_size == 3);
  // Every preset of every architecture is valid as it is.
  for (Architecture a : {Architecture::kRnn, Architecture::kRnnAttention,
                         Architecture::kTransformer, Architecture::kConvS2S})
    for (const char* size : {"tiny", "small", "base"}) {
      CAPTURE(size);
      CHECK(preset(a, size).architecture == a);
      CHECK_NOTHROW(validate(preset(a, size)));
    }
  CHECK_THROWS_WITH_AS(preset(Architecture::kRnn, "huge"), doctest::Contains("[model_config]"),
                       Error);
  CHECK(ModelConfig{}.hidden_size == t.hidden_size);  // the default is the transformer small
}

TEST_CASE("names convert both ways and unknown names are refused") {
  for (Architecture a : {Architecture::kRnn, Architecture::kRnnAttention,
                         Architecture::kTransformer, Architecture::kConvS2S})
    CHECK(parse_architecture(to_string(a)) == a);
  for (CellType c : {CellType::kRnnTanh, CellType::kGru, CellType::kLstm})
    CHECK(parse_cell_type(to_string(c)) == c);
  for (AttentionScore s : {AttentionScore::kDot, AttentionScore::kScaledDot,
                           AttentionScore::kGeneral, AttentionScore::kAdditive})
    CHECK(parse_attention_score(to_string(s)) == s);
  CHECK(std::string(to_string(Architecture::kRnnAttention)) == "rnn_attention");
  CHECK(std::string(to_string(CellType::kRnnTanh)) == "rnn");
  CHECK_THROWS_WITH_AS(parse_architecture("lstm"), doctest::Contains("transformer"), Error);
  CHECK_THROWS_WITH_AS(parse_cell_type("tanh"), doctest::Contains("[model_config]"), Error);
  CHECK_THROWS_WITH_AS(parse_attention_score("cosine"), doctest::Contains("additive"), Error);
}

TEST_CASE("validate names the field that cannot be built") {
  ModelConfig c;
  c.hidden_size = 0;
  check_invalid(c, "hidden_size");
  c = ModelConfig{};
  c.src_vocab_size = 4;
  check_invalid(c, "src_vocab_size");
  c = ModelConfig{};
  c.dropout = 1.0f;
  check_invalid(c, "dropout");
  c = ModelConfig{};
  c.attention_dim = -1;
  check_invalid(c, "attention_dim");
  c = ModelConfig{};
  c.num_heads = 3;
  check_invalid(c, "num_heads");
  c = preset(Architecture::kRnnAttention, "tiny");
  c.hidden_size = 33;
  check_invalid(c, "even");
  c = preset(Architecture::kRnn, "tiny");
  c.decoder_layers = 2;
  check_invalid(c, "encoder_layers = decoder_layers");
  c = preset(Architecture::kRnn, "tiny");
  c.tie_embeddings = true;
  check_invalid(c, "tie_embeddings");
}

TEST_CASE("the JSON form round-trips every field") {
  ModelConfig c = preset(Architecture::kRnnAttention, "small");
  c.src_vocab_size = 1234;
  c.tgt_vocab_size = 2345;
  c.embedding_dim = 48;
  c.hidden_size = 96;
  c.encoder_layers = 2;
  c.decoder_layers = 3;
  c.num_heads = 4;
  c.feedforward_dim = 77;
  c.kernel_size = 5;
  c.max_positions = 300;
  c.cell = CellType::kLstm;
  c.attention = AttentionScore::kGeneral;
  c.attention_dim = 17;
  c.dropout = 0.25f;
  c.norm_first = false;
  const ModelConfig back = from_json_string(to_json_string(c));
  CHECK(to_json_string(back) == to_json_string(c));
  CHECK(back.cell == CellType::kLstm);
  CHECK(back.attention == AttentionScore::kGeneral);
  CHECK(back.decoder_layers == 3);
  CHECK(back.dropout == doctest::Approx(0.25));
  CHECK(to_json_string(c).find("\"architecture\": \"rnn_attention\"") != std::string::npos);
}

TEST_CASE("from_json_string applies a preset, then the given fields, over a base") {
  ModelConfig base;
  base.src_vocab_size = 500;
  base.tgt_vocab_size = 600;
  const ModelConfig c = from_json_string(
      R"({"architecture": "transformer", "preset": "tiny", "num_heads": 2, "dropout": 0.3})", base);
  CHECK(c.hidden_size == 64);  // the tiny preset
  CHECK(c.num_heads == 2);     // then the field
  CHECK(c.dropout == doctest::Approx(0.3));
  CHECK(c.src_vocab_size == 500);  // vocabularies kept from the base
  CHECK(c.tgt_vocab_size == 600);
  const ModelConfig only = from_json_string(R"({"hidden_size": 128})", base);
  CHECK(only.hidden_size == 128);
  CHECK(only.src_vocab_size == 500);
}

TEST_CASE("from_json_string refuses what it cannot read") {
  const auto refuse = [](const std::string& json, const std::string& what) {
    CAPTURE(json);
    CHECK_THROWS_WITH_AS(from_json_string(json), doctest::Contains("[model_config]"), Error);
    CHECK_THROWS_WITH_AS(from_json_string(json), doctest::Contains(what.c_str()), Error);
  };
  refuse("{not json", "[model_config]: not valid JSON");
  refuse(R"({"hidden_size": 64, "hidden_size": 128})", "JSON key \"hidden_size\" appears twice");
  refuse(R"({"hidden_size": 18446744073709551615})", "'hidden_size' must be an integer below 2^63");
  refuse("[1, 2]", "not a JSON object");
  refuse(R"({"hidden": 3})", "unknown key 'hidden'");
  refuse(R"({"hidden_size": "big"})", "'hidden_size' must be an integer");
  refuse(R"({"hidden_size": 2.5})", "'hidden_size' must be an integer");
  refuse(R"({"norm_first": 1})", "'norm_first' must be true or false");
  refuse(R"({"dropout": "0.1"})", "'dropout' must be a number");
  refuse(R"({"cell": 2})", "'cell' must be a string");
  refuse(R"({"cell": "tanh"})", "unknown cell");
  refuse(R"({"preset": "huge"})", "unknown preset");
  refuse(R"({"preset": 1})", "'preset' must be a string");
  refuse(R"({"num_heads": 7})", "divisible");  // validated
}

TEST_CASE("summary describes the architecture in one line") {
  ModelConfig t = preset(Architecture::kTransformer, "small");
  CHECK(summary(t) ==
        "transformer d_model 256, 8 heads, ff 512, 3+3 layers, pre-norm, tied embeddings, "
        "dropout 0.1, vocab 8000/8000");
  ModelConfig r = preset(Architecture::kRnnAttention, "tiny");
  r.attention_dim = 20;
  CHECK(summary(r) ==
        "rnn_attention gru E 32, H 64, 1+1 layers, additive attention of width 20, dropout 0.1, "
        "vocab 8000/8000");
  ModelConfig s = preset(Architecture::kRnn, "tiny");
  s.cell = CellType::kLstm;
  CHECK(summary(s) == "rnn lstm E 32, H 64, 1+1 layers, dropout 0.1, vocab 8000/8000");
  CHECK(summary(preset(Architecture::kConvS2S, "tiny")) ==
        "convs2s E 32, H 64, 2+2 layers, kernel 3, dropout 0.1, vocab 8000/8000");
}

TEST_CASE("check_source and check_target refuse malformed batches") {
  const IndexArray src({4, 5, 6, 7, 8, 0}, {2, 3});
  CHECK_NOTHROW(check_source("m", src, {3, 2}));
  CHECK_THROWS_WITH_AS(check_source("m", src, {3}), doctest::Contains("[m] src (2, 3)"), Error);
  CHECK_THROWS_WITH_AS(check_source("m", src, {3, 4}), doctest::Contains("source length 4"), Error);
  CHECK_THROWS_WITH_AS(check_source("m", src, {0, 1}), doctest::Contains("[m]"), Error);
  CHECK_THROWS_WITH_AS(check_source("m", IndexArray({4, 5}), {2}), doctest::Contains("[m]"), Error);
  CHECK_NOTHROW(check_target("m", src, IndexArray({2, 4, 2, 5}, {2, 2})));
  CHECK_THROWS_WITH_AS(check_target("m", src, IndexArray({2, 4}, {1, 2})),
                       doctest::Contains("tgt_in (1, 2)"), Error);
  CHECK_THROWS_WITH_AS(check_target("m", src, IndexArray({2, 4})), doctest::Contains("[m]"), Error);
}

TEST_CASE("SourceRows follows select and says when the map changed") {
  SourceRows rows(2);
  CHECK(rows.size() == 2);
  CHECK(rows.select("m", IndexArray({0, 0, 1, 1})));  // beam expansion: changed
  CHECK(rows.index().values() == std::vector<int64_t>{0, 0, 1, 1});
  CHECK_FALSE(rows.select("m", IndexArray({1, 0, 3, 2})));  // reorder within sources
  CHECK(rows.select("m", IndexArray({2, 3})));              // sentence 0 finished: pruned
  CHECK(rows.index().values() == std::vector<int64_t>{1, 1});
  CHECK_THROWS_WITH_AS(rows.select("m", IndexArray({2})), doctest::Contains("row 2 out of range"),
                       Error);
  CHECK_THROWS_WITH_AS(rows.select("m", IndexArray(std::vector<int64_t>{})),
                       doctest::Contains("[m] select"), Error);
}

TEST_CASE("validate refuses impossible sizes up front, naming the number and the limit") {
  ModelConfig c = preset(Architecture::kTransformer, "tiny");
  c.feedforward_dim = int64_t{1} << 62;  // its Linear's element count overflowed: SIGSEGV
  check_invalid(c, "feedforward_dim = 4611686018427387904 is larger than the limit 262144");
  c = preset(Architecture::kTransformer, "tiny");
  c.encoder_layers = 1000000000;  // SIGABRT
  check_invalid(c, "encoder_layers = 1000000000 is larger than the limit 1024");
  c = preset(Architecture::kRnnAttention, "tiny");
  c.hidden_size = 1000000000;  // std::bad_alloc without context
  check_invalid(c, "hidden_size = 1000000000 is larger than the limit 65536");
  c = preset(Architecture::kConvS2S, "tiny");
  c.max_positions = (int64_t{1} << 20) + 1;
  check_invalid(c, "max_positions = 1048577 is larger than the limit 1048576");
  c.max_positions = 1024;
  c.tgt_vocab_size = int64_t{1} << 25;
  check_invalid(c, "tgt_vocab_size = 33554432 is larger than the limit 16777216");
  // Every base preset and the bounds themselves, one at a time, are fine.
  for (Architecture a : {Architecture::kRnn, Architecture::kRnnAttention, Architecture::kTransformer,
                         Architecture::kConvS2S})
    CHECK_NOTHROW(validate(preset(a, "base")));
  c = preset(Architecture::kTransformer, "tiny");
  c.encoder_layers = 1024;
  CHECK_NOTHROW(validate(c));
  // The same refusal from the JSON form (config.json).
  CHECK_THROWS_WITH_AS(from_json_string(R"({"decoder_layers": 1000000000})"),
                       doctest::Contains("decoder_layers = 1000000000 is larger than the limit"),
                       Error);
}

TEST_CASE("validate refuses a model whose weights alone exceed physical memory") {
  // Each size within its bound; together 2 * 2^24 * 2^16 = 2^41 embedding weights (8 TiB).
  ModelConfig c = preset(Architecture::kTransformer, "tiny");
  c.src_vocab_size = c.tgt_vocab_size = int64_t{1} << 24;
  c.hidden_size = c.embedding_dim = int64_t{1} << 16;
  c.num_heads = 1;
  check_invalid(c, "vocab 16777216/16777216) needs at least");
  check_invalid(c, "more than the machine's physical memory");
  c = preset(Architecture::kRnnAttention, "tiny");
  c.hidden_size = 60000;
  c.decoder_layers = c.encoder_layers = 1000;  // 1000 * 60000^2 weight_hh entries at least
  check_invalid(c, "float32 weights alone");
}
