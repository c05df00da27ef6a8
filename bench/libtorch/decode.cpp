// W4: greedy decoding with a key/value cache. libtorch 1.13's nn::TransformerDecoder has no cache,
// so the cached decoder is written here in libtorch ops over the W1 model's own weights (the
// layout of nn::MultiheadAttention: in_proj_weight (3E, E) = [W_q; W_k; W_v], out_proj), as
// torch's multi_head_attention_forward splits heads.
#include <cmath>

#include "common/bench.h"
#include "common/workloads.h"
#include "libtorch/runners.h"
#include "libtorch/transformer.h"

namespace bench::libtorch {

namespace F = torch::nn::functional;

namespace {

constexpr int64_t kHeadDim = kModel / kHeads;

// x: (L, B, E) -> (B*H, L, D)
torch::Tensor split_heads(const torch::Tensor& x) {
  return x.contiguous().view({x.size(0), x.size(1) * kHeads, kHeadDim}).transpose(0, 1);
}

// x: (B*H, 1, D) -> (1, B, E)
torch::Tensor merge_heads(const torch::Tensor& x, int64_t batch) {
  return x.transpose(0, 1).contiguous().view({1, batch, kModel});
}

// softmax(q k^T / sqrt(D)) v   q: (B*H, 1, D)  k, v: (B*H, L, D) -> (B*H, 1, D)
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(kHeadDim));
  return torch::bmm(torch::softmax(torch::bmm(q * scale, k.transpose(1, 2)), -1), v);
}

struct LayerCache {
  torch::Tensor self_k, self_v;    // (B*H, steps, D), rows [0, t] filled at step t
  torch::Tensor cross_k, cross_v;  // (B*H, S, D)
};

// memory: (S, B, E) -> the layer's cross-attention keys/values and an empty self-attention cache
LayerCache make_cache(DecoderLayer& layer, const torch::Tensor& memory, int64_t steps) {
  const auto& mha = layer->multihead_attn;
  const auto kv = F::linear(memory, mha->in_proj_weight.narrow(0, kModel, 2 * kModel),
                            mha->in_proj_bias.narrow(0, kModel, 2 * kModel))
                      .chunk(2, -1);
  const auto empty = torch::empty({memory.size(1) * kHeads, steps, kHeadDim});
  return {empty, torch::empty_like(empty), split_heads(kv[0]), split_heads(kv[1])};
}

// One decoder layer on the newest position.  x: (1, B, E) at step t -> (1, B, E)
torch::Tensor layer_step(DecoderLayer& layer, const torch::Tensor& x, LayerCache& cache,
                         int64_t t) {
  const int64_t batch = x.size(1);
  auto& sa = layer->self_attn;
  const auto qkv = F::linear(layer->norm1(x), sa->in_proj_weight, sa->in_proj_bias).chunk(3, -1);
  cache.self_k.narrow(1, t, 1).copy_(split_heads(qkv[1]));
  cache.self_v.narrow(1, t, 1).copy_(split_heads(qkv[2]));
  const auto self = attend(split_heads(qkv[0]), cache.self_k.narrow(1, 0, t + 1),
                           cache.self_v.narrow(1, 0, t + 1));
  auto y = x + sa->out_proj(merge_heads(self, batch));

  auto& ca = layer->multihead_attn;
  const auto q = F::linear(layer->norm2(y), ca->in_proj_weight.narrow(0, 0, kModel),
                           ca->in_proj_bias.narrow(0, 0, kModel));
  const auto cross = attend(split_heads(q), cache.cross_k, cache.cross_v);
  y = y + ca->out_proj(merge_heads(cross, batch));
  return y + layer->linear2(torch::relu(layer->linear1(layer->norm3(y))));
}

}  // namespace

torch::Tensor greedy_decode_cached(Transformer& model, const torch::Tensor& src, int64_t steps) {
  const auto memory = model->encode(src);
  std::vector<LayerCache> caches;
  for (auto& layer : model->decoder_layers) caches.push_back(make_cache(layer, memory, steps));
  auto token = torch::full({1, src.size(1)}, kBos, torch::kLong);
  std::vector<torch::Tensor> generated;
  for (int64_t t = 0; t < steps; ++t) {
    auto x = model->embed(model->tgt_embed, token, t);
    for (size_t l = 0; l < caches.size(); ++l) {
      x = layer_step(model->decoder_layers[l], x, caches[l], t);
    }
    token = model->logits(model->decoder_norm(x)).argmax(-1);  // (1, B)
    generated.push_back(token);
  }
  return torch::cat(generated, 0);
}

// W4: generated tokens/s of whole decodes (encoder, cache set-up and kDecodeSteps steps).
void run_w4(const Args& args, int64_t batch) {
  Transformer model;
  model->eval();
  torch::NoGradGuard no_grad;
  const auto src = torch::randint(kVocab, {kSrcLen, batch}, torch::kLong);
  const auto seconds =
      time_reps(args.warmup, args.reps, [&] { greedy_decode_cached(model, src, kDecodeSteps); });
  print_rate("libtorch", args, "w4kv_b" + std::to_string(batch), "tokens/s", seconds,
             static_cast<double>(batch * kDecodeSteps));
}

}  // namespace bench::libtorch
