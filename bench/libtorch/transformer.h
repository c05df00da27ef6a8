// The W1/W4 model in libtorch: an encoder-decoder Transformer (Vaswani et al. 2017) with
// pre-norm layers as torch.nn.TransformerEncoderLayer/DecoderLayer(norm_first=True), a final
// LayerNorm after each stack, embeddings scaled by sqrt(E) plus sinusoidal positions, and the
// output projection tied to the target embedding (no bias). Sequences are time-major, as
// torch::nn::MultiheadAttention takes them: ids (S, B), activations (S, B, E).
#pragma once

#include <torch/torch.h>

namespace bench::libtorch {

// x = x + drop(SA(norm1(x))); x = x + drop(FF(norm2(x))), FF = linear2(drop(relu(linear1)))
struct EncoderLayerImpl : torch::nn::Module {
  EncoderLayerImpl();
  torch::Tensor forward(const torch::Tensor& x);  // x: (S, B, E) -> (S, B, E)

  torch::nn::MultiheadAttention self_attn{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Dropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr};
};
TORCH_MODULE(EncoderLayer);

// x = x + drop(SA(norm1(x), causal)); x = x + drop(CA(norm2(x), memory)); x = x +
// drop(FF(norm3(x)))
struct DecoderLayerImpl : torch::nn::Module {
  DecoderLayerImpl();
  // x: (T, B, E)  memory: (S, B, E)  causal_mask: (T, T), -inf above the diagonal -> (T, B, E)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& memory,
                        const torch::Tensor& causal_mask);

  torch::nn::MultiheadAttention self_attn{nullptr}, multihead_attn{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  torch::nn::Dropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr}, dropout3{nullptr};
};
TORCH_MODULE(DecoderLayer);

struct TransformerImpl : torch::nn::Module {
  TransformerImpl();
  // src: (S, B) ids -> memory (S, B, E)
  torch::Tensor encode(const torch::Tensor& src);
  // tgt: (T, B) ids  memory: (S, B, E) -> decoder output after the final norm (T, B, E)
  torch::Tensor decode(const torch::Tensor& tgt, const torch::Tensor& memory);
  // x: (N..., E) -> logits (N..., V) = x @ tgt_embed.weight^T
  torch::Tensor logits(const torch::Tensor& x);
  // ids: (T, B), first position `offset` -> embed(ids) * sqrt(E) + pe[offset : offset + T]
  torch::Tensor embed(torch::nn::Embedding& table, const torch::Tensor& ids, int64_t offset = 0);

  torch::nn::Embedding src_embed{nullptr}, tgt_embed{nullptr};
  std::vector<EncoderLayer> encoder_layers;
  std::vector<DecoderLayer> decoder_layers;
  torch::nn::LayerNorm encoder_norm{nullptr}, decoder_norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::Tensor positions;  // (max length, 1, E) sinusoids, a buffer
};
TORCH_MODULE(Transformer);

// Greedy decoding with a key/value cache (W4), the model in eval mode under no_grad: encodes src
// (S, B) once, projects each layer's cross-attention keys/values of the memory once, then each
// step runs only the newest position through the decoder. Returns the generated ids (steps, B).
torch::Tensor greedy_decode_cached(Transformer& model, const torch::Tensor& src, int64_t steps);

}  // namespace bench::libtorch
