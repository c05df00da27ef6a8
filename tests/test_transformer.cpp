#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/transformer.h"
#include "support/check.h"
#include "support/masks.h"

using namespace ember;
using testing::check_abs_close;
using testing::padding_mask;

namespace {

nn::TransformerLayerOptions small(bool norm_first, nn::Activation act = nn::Activation::kGelu) {
  return {.d_model = 4,
          .nhead = 2,
          .dim_feedforward = 6,
          .dropout = 0.0f,
          .activation = act,
          .layer_norm_eps = 1e-5f,
          .norm_first = norm_first};
}

// Random values N(0, 0.5^2) in every parameter (norm weights and attention biases start constant).
void randomise(const nn::Module& m) {
  for (const Tensor& p : m.parameters()) p.data().copy_(Tensor::randn(p.shape()).data());
  for (const Tensor& p : m.parameters()) p.data().mul_(0.5f);
}

// The entries of `state` under "prefix." with the prefix removed.
nn::StateDict sub(const nn::StateDict& state, const std::string& prefix) {
  nn::StateDict out;
  for (const auto& [name, v] : state)
    if (name.rfind(prefix + ".", 0) == 0) out[name.substr(prefix.size() + 1)] = v;
  return out;
}

// The parts of a layer rebuilt from its state dict, to compose the README 6.7/6.8 formulas.
struct Parts {
  nn::MultiheadAttention self_attn, cross_attn;
  nn::Linear linear1, linear2;
  nn::LayerNorm norm1, norm2, norm3;
  Parts(const nn::Module& layer, const nn::TransformerLayerOptions& o, bool decoder)
      : self_attn(o.d_model, o.nhead),
        cross_attn(o.d_model, o.nhead),
        linear1(o.d_model, o.dim_feedforward),
        linear2(o.dim_feedforward, o.d_model),
        norm1(o.d_model),
        norm2(o.d_model),
        norm3(o.d_model) {
    const nn::StateDict s = layer.state_dict();
    self_attn.load_state_dict(sub(s, "self_attn"));
    if (decoder) cross_attn.load_state_dict(sub(s, "multihead_attn"));
    if (decoder) norm3.load_state_dict(sub(s, "norm3"));
    linear1.load_state_dict(sub(s, "linear1"));
    linear2.load_state_dict(sub(s, "linear2"));
    norm1.load_state_dict(sub(s, "norm1"));
    norm2.load_state_dict(sub(s, "norm2"));
  }
  Tensor ff(const Tensor& x, nn::Activation act) const {
    const Tensor h = linear1.forward(x);
    return linear2.forward(act == nn::Activation::kGelu ? gelu(h) : relu(h));
  }
};

}  // namespace

TEST_CASE("Transformer layers and stacks have torch's parameter names, in torch's order") {
  nn::TransformerDecoderLayer dec(small(false));
  std::vector<std::string> names;
  for (const auto& [n, p] : dec.named_parameters()) names.push_back(n);
  CHECK(names ==
        std::vector<std::string>{"self_attn.in_proj_weight", "self_attn.in_proj_bias",
                                 "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                                 "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias",
                                 "multihead_attn.out_proj.weight", "multihead_attn.out_proj.bias",
                                 "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
                                 "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
                                 "norm3.weight", "norm3.bias"});
  nn::TransformerEncoderLayer enc(small(false));
  CHECK(enc.named_parameters().size() == 12);
  CHECK(enc.named_parameters()[4].first == "linear1.weight");
  CHECK(enc.named_parameters()[4].second.shape() == Shape{6, 4});

  nn::TransformerEncoder stack(small(false), 2, true);
  const auto p = stack.named_parameters();
  CHECK(p.size() == 26);
  CHECK(p[12].first == "layers.1.self_attn.in_proj_weight");
  CHECK(p[25].first == "norm.bias");
  nn::TransformerDecoder dstack(small(true), 3);
  CHECK(dstack.named_parameters().size() == 54);
  CHECK(dstack.named_parameters().back().first == "layers.2.norm3.bias");
  // Each layer is drawn on its own (torch would deep-copy one layer).
  CHECK(stack.layers()[0].named_parameters()[0].second.to_vector() !=
        stack.layers()[1].named_parameters()[0].second.to_vector());
}

TEST_CASE("TransformerEncoderLayer composes attention, feed-forward and norms as torch does") {
  for (bool norm_first : {false, true})
    for (auto act : {nn::Activation::kRelu, nn::Activation::kGelu}) {
      CAPTURE(norm_first);
      const auto o = small(norm_first, act);
      nn::TransformerEncoderLayer layer(o);
      randomise(layer);
      const Parts p(layer, o, false);
      const Tensor src = Tensor::randn({2, 5, 4});
      const Tensor kpm = padding_mask(5, {5, 2});
      const auto sa = [&](const Tensor& x) {
        return p.self_attn.forward(x, x, x, {.key_padding_mask = kpm}).output;
      };
      Tensor want;
      if (norm_first) {
        const Tensor x = src + sa(p.norm1.forward(src));
        want = x + p.ff(p.norm2.forward(x), act);
      } else {
        const Tensor x = p.norm1.forward(src + sa(src));
        want = p.norm2.forward(x + p.ff(x, act));
      }
      check_abs_close(layer.forward(src, {.src_key_padding_mask = kpm}), want);
    }
}

TEST_CASE("TransformerDecoderLayer composes self-, cross-attention, feed-forward and norms") {
  for (bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    const auto o = small(norm_first, nn::Activation::kRelu);
    nn::TransformerDecoderLayer layer(o);
    randomise(layer);
    const Parts p(layer, o, true);
    const Tensor tgt = Tensor::randn({2, 4, 4}), mem = Tensor::randn({2, 3, 4});
    const Tensor causal = nn::causal_mask(4), mkpm = padding_mask(3, {3, 1});
    const Tensor tkpm = padding_mask(4, {4, 3});
    const auto sa = [&](const Tensor& x) {
      return p.self_attn.forward(x, x, x, {.key_padding_mask = tkpm, .attn_mask = causal}).output;
    };
    const auto ca = [&](const Tensor& x) {
      return p.cross_attn.forward(x, mem, mem, {.key_padding_mask = mkpm}).output;
    };
    Tensor want;
    if (norm_first) {
      Tensor x = tgt + sa(p.norm1.forward(tgt));
      x = x + ca(p.norm2.forward(x));
      want = x + p.ff(p.norm3.forward(x), o.activation);
    } else {
      Tensor x = p.norm1.forward(tgt + sa(tgt));
      x = p.norm2.forward(x + ca(x));
      want = p.norm3.forward(x + p.ff(x, o.activation));
    }
    const Tensor got = layer.forward(
        tgt, mem,
        {.tgt_mask = causal, .tgt_key_padding_mask = tkpm, .memory_key_padding_mask = mkpm});
    check_abs_close(got, want);
  }
}

TEST_CASE("Transformer layer gradients match finite differences (inputs and every parameter)") {
  const GradcheckOptions opts{
      .eps = 3e-3f};  // layer norms curve: a smaller step (0 of 200 seeds fail)
  for (bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    nn::TransformerEncoderLayer enc(small(norm_first));
    randomise(enc);
    const Tensor src = Tensor::randn({2, 3, 4}, true);
    const Tensor kpm = padding_mask(3, {3, 2});
    std::vector<Tensor> inputs{src};
    for (const Tensor& p : enc.parameters()) inputs.push_back(p);
    const auto f = [&](const std::vector<Tensor>& in) {
      return enc.forward(in[0], {.src_key_padding_mask = kpm});
    };
    GradcheckResult r = gradcheck(f, inputs, opts);
    CHECK_MESSAGE(r.ok, r.message);

    nn::TransformerDecoderLayer dec(small(norm_first));
    randomise(dec);
    const Tensor tgt = Tensor::randn({2, 3, 4}, true), mem = Tensor::randn({2, 2, 4}, true);
    const Tensor mkpm = padding_mask(2, {1, 2});
    inputs = {tgt, mem};
    for (const Tensor& p : dec.parameters()) inputs.push_back(p);
    const auto g = [&](const std::vector<Tensor>& in) {
      return dec.forward(in[0], in[1],
                         {.tgt_mask = nn::causal_mask(3), .memory_key_padding_mask = mkpm});
    };
    r = gradcheck(g, inputs, opts);
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("the decoder stack decoding one step at a time equals the full causal pass") {
  for (bool norm_first : {false, true}) {
    CAPTURE(norm_first);
    auto o = small(norm_first, nn::Activation::kRelu);
    o.d_model = 8;
    o.dropout = 0.1f;  // eval mode: no dropout anywhere
    nn::TransformerDecoder dec(o, 2, true);
    randomise(dec);
    dec.eval();
    const int64_t t = 5;
    const Tensor tgt = Tensor::randn({3, t, 8}), mem = Tensor::randn({3, 4, 8});
    const Tensor mkpm = padding_mask(4, {4, 2, 1});
    NoGradGuard no_grad;
    const Tensor full =
        dec.forward(tgt, mem, {.tgt_mask = nn::causal_mask(t), .memory_key_padding_mask = mkpm});
    nn::TransformerDecoderState state = dec.start(mem, mkpm);
    std::vector<Tensor> steps;
    for (int64_t i = 0; i < t; ++i) steps.push_back(dec.step(narrow(tgt, 1, i, 1), state));
    CHECK(state.length() == t);
    check_abs_close(cat(steps, 1), full);

    // Beam search: after 2 steps keep rows {2, 2, 0}; the rest equals the reordered full pass.
    nn::TransformerDecoderState beam = dec.start(mem, mkpm);
    dec.step(narrow(tgt, 1, 0, 2), beam);
    const IndexArray rows({2, 2, 0});
    beam.reorder(rows);
    const Tensor tr = index_select(tgt, 0, rows), mr = index_select(mem, 0, rows);
    const Tensor full_r = dec.forward(
        tr, mr,
        {.tgt_mask = nn::causal_mask(t), .memory_key_padding_mask = index_select(mkpm, 0, rows)});
    check_abs_close(dec.step(narrow(tr, 1, 2, 3), beam), narrow(full_r, 1, 2, 3));
  }
}

TEST_CASE("encoder outputs at real positions ignore what padded positions hold") {
  nn::TransformerEncoder enc(small(false), 2);
  randomise(enc);
  const Tensor kpm = padding_mask(4, {2});
  const Tensor a = Tensor::randn({1, 4, 4});
  const Tensor b = cat({narrow(a, 1, 0, 2), Tensor::randn({1, 2, 4})}, 1);
  const Tensor ya = enc.forward(a, {.src_key_padding_mask = kpm});
  const Tensor yb = enc.forward(b, {.src_key_padding_mask = kpm});
  check_abs_close(narrow(ya, 1, 0, 2), narrow(yb, 1, 0, 2));
}

TEST_CASE("dropout acts in training mode only") {
  auto o = small(false);
  o.dropout = 0.5f;
  nn::TransformerEncoderLayer layer(o);
  const Tensor src = Tensor::randn({2, 3, 4});
  const Tensor y1 = layer.forward(src), y2 = layer.forward(src);
  CHECK(y1.to_vector() != y2.to_vector());
  layer.eval();
  CHECK(layer.forward(src).to_vector() == layer.forward(src).to_vector());
}

TEST_CASE("Transformer errors name the layer and the shapes") {
  auto bad = small(false);
  bad.nhead = 3;
  CHECK_THROWS_WITH_AS(nn::TransformerEncoderLayer{bad},
                       doctest::Contains("embed_dim 4 is not divisible by num_heads 3"),
                       ember::Error);
  bad = small(false);
  bad.dim_feedforward = 0;
  CHECK_THROWS_WITH_AS(nn::TransformerDecoderLayer{bad},
                       doctest::Contains("[transformer] d_model 4, nhead 2 and dim_feedforward 0"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::TransformerEncoder(small(false), 0),
                       doctest::Contains("[transformer_encoder] num_layers must be positive"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(nn::TransformerDecoder(small(false), 0),
                       doctest::Contains("[transformer_decoder] num_layers must be positive"),
                       ember::Error);
  nn::TransformerEncoderLayer enc(small(false));
  CHECK_THROWS_WITH_AS(enc.forward(Tensor::randn({2, 3, 5})),
                       doctest::Contains("[transformer_encoder_layer] src must be (B, L, 4), got "
                                         "(2, 3, 5)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      enc.forward(Tensor::randn({2, 3, 4}), {.src_key_padding_mask = Tensor::zeros({3, 3})}),
      doctest::Contains("key_padding_mask (3, 3) must be (B, S) = (2, 3)"), ember::Error);
  CHECK_THROWS_WITH_AS(enc.forward(Tensor::randn({2, 3, 4}), {.src_mask = Tensor::zeros({3, 2})}),
                       doctest::Contains("attn_mask (3, 2) must be (T, S) = (3, 3)"), ember::Error);
  nn::TransformerDecoder dec(small(false), 2);
  const Tensor tgt = Tensor::randn({2, 3, 4}), mem = Tensor::randn({2, 5, 4});
  CHECK_THROWS_WITH_AS(
      dec.forward(tgt, Tensor::randn({2, 5, 3})),
      doctest::Contains("[transformer_decoder_layer] memory must be (B, L, 4), got "
                        "(2, 5, 3)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(dec.forward(tgt, Tensor::randn({1, 5, 4})),
                       doctest::Contains("tgt (2, 3, 4) and memory (1, 5, 4) have different batch"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(dec.forward(tgt, mem, {.memory_mask = Tensor::zeros({3, 3})}),
                       doctest::Contains("attn_mask (3, 3) must be (T, S) = (3, 5)"), ember::Error);
  NoGradGuard no_grad;
  nn::TransformerDecoderState empty;
  CHECK_THROWS_WITH_AS(dec.step(narrow(tgt, 1, 0, 1), empty),
                       doctest::Contains("[transformer_decoder] the state has caches for 0 layers, "
                                         "the decoder has 2"),
                       ember::Error);
  nn::TransformerDecoderState state = dec.start(mem, padding_mask(5, {5, 5}));
  CHECK_THROWS_WITH_AS(dec.step(Tensor::randn({2, 1, 3}), state),
                       doctest::Contains("[transformer_decoder_layer] tgt must be (B, L, 4)"),
                       ember::Error);
}
