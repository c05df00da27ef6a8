// PyTorch interop, both ways (docs/pytorch_interop.md), with two modules:
//   transformer_encoder_layer  TransformerEncoderLayer(d_model 16, nhead 4, dim_feedforward 32,
//                              gelu, norm_first), src (2, 5, 16) with a key-padding mask (B, S)
//   lstm                       LSTM(8 -> 12, 2 layers, bidirectional, batch_first),
//                              x (3, 6, 8) with lengths (6, 2, 4)
// tools/pytorch_interop/check_with_torch.py builds the same modules in torch.
//
//   export_for_pytorch DIR          ember -> torch: seeds ember, builds the modules, runs a fixed
//                                   input, writes DIR/ember_<name>.safetensors (nn::save) and
//                                   DIR/ember_<name>_io.safetensors (inputs and outputs)
//   check_with_torch.py DIR         loads those into torch.nn, compares, writes DIR/torch_<name>*
//   export_for_pytorch --load DIR   torch -> ember: nn::load (strict) of torch's weights, runs
//                                   torch's inputs and prints the max abs error against torch's
//                                   outputs; exits 1 if one exceeds 1e-4
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/safetensors.h"
#include "ember/ember.h"
#include "ember/layers/rnn.h"
#include "ember/layers/transformer.h"

using namespace ember;

using Outputs = std::map<std::string, NDArray>;

constexpr float kTolerance = 1e-4f;

std::shared_ptr<nn::TransformerEncoderLayer> make_encoder_layer() {
  return std::make_shared<nn::TransformerEncoderLayer>(
      nn::TransformerLayerOptions{.d_model = 16,
                                  .nhead = 4,
                                  .dim_feedforward = 32,
                                  .activation = nn::Activation::kGelu,
                                  .norm_first = true});
}

std::shared_ptr<nn::LSTM> make_lstm() {
  return std::make_shared<nn::LSTM>(nn::RecurrentOptions{
      .input_size = 8, .hidden_size = 12, .num_layers = 2, .bidirectional = true});
}

// "input" (B, S, E) and "src_key_padding_mask" (B, S), 1 = padding  ->  "output" (B, S, E).
Outputs run(const nn::TransformerEncoderLayer& layer, const core::SafeTensors& io) {
  nn::TransformerEncoderMasks masks;
  masks.src_key_padding_mask = Tensor(io.masks.at("src_key_padding_mask"));
  return {{"output", layer.forward(Tensor(io.floats.at("input")), masks).data()}};
}

// "input" (B, T, I) and "lengths" (B)  ->  "output" (B, T, 2H), "h_n" and "c_n" (4, B, H).
Outputs run(const nn::LSTM& lstm, const core::SafeTensors& io) {
  const nn::RecurrentOutput r =
      lstm.forward(Tensor(io.floats.at("input")), {}, io.indices.at("lengths").values());
  return {{"output", r.output.data()}, {"h_n", r.h_n.data()}, {"c_n", r.c_n.data()}};
}

// The fixed inputs, drawn from the default generator (seeded in main).
core::SafeTensors encoder_layer_inputs() {
  core::SafeTensors io;
  io.floats["input"] = core::default_generator().normal({2, 5, 16});
  NDArray mask = NDArray::zeros({2, 5});  // the second sequence has 3 real positions
  mask.select(0, 1).narrow(0, 3, 2).fill_(1.0f);
  io.masks["src_key_padding_mask"] = mask;
  return io;
}

core::SafeTensors lstm_inputs() {
  core::SafeTensors io;
  io.floats["input"] = core::default_generator().normal({3, 6, 8});
  io.indices["lengths"] = IndexArray(std::vector<int64_t>{6, 2, 4});
  return io;
}

float max_abs_error(const NDArray& a, const NDArray& b) {
  EMBER_CHECK(a.shape() == b.shape(), "[export_for_pytorch] shapes {} and {} differ",
              core::shape_str(a.shape()), core::shape_str(b.shape()));
  const NDArray x = a.contiguous(), y = b.contiguous();
  float worst = 0.0f;
  for (int64_t i = 0; i < x.numel(); ++i)
    worst = std::max(worst, std::abs(x.data()[i] - y.data()[i]));
  return worst;
}

// ember -> torch: writes the module's state_dict and its inputs with ember's outputs.
template <class M>
void export_case(const std::string& dir, const std::string& name, const M& module,
                 core::SafeTensors io) {
  for (const auto& [key, value] : run(module, io)) io.floats[key] = value;
  nn::save(module, dir + "/ember_" + name + ".safetensors");
  core::save_safetensors(dir + "/ember_" + name + "_io.safetensors", io);
  spdlog::info("wrote {}/ember_{}.safetensors ({} tensors) and ember_{}_io.safetensors", dir, name,
               module.state_dict().size(), name);
}

// torch -> ember: loads torch's weights strictly, runs torch's inputs; true if every output
// matches torch's within kTolerance.
template <class M>
bool check_case(const std::string& dir, const std::string& name, M& module) {
  nn::load(module, dir + "/torch_" + name + ".safetensors");  // strict: throws on any mismatch
  const core::SafeTensors io = core::load_safetensors(dir + "/torch_" + name + "_io.safetensors");
  bool ok = true;
  for (const auto& [key, value] : run(module, io)) {
    const float error = max_abs_error(value, io.floats.at(key));
    spdlog::info("torch -> ember  {}.{}: max abs error {:.3g}", name, key, error);
    ok = ok && error <= kTolerance;
  }
  return ok;
}

int main(int argc, char** argv) try {
  const bool load = argc == 3 && std::strcmp(argv[1], "--load") == 0;
  if (argc != 2 && !load) {
    spdlog::error("usage: {} DIR | {} --load DIR", argv[0], argv[0]);
    return 2;
  }
  const std::string dir = argv[argc - 1];
  NoGradGuard no_grad;
  core::manual_seed(0);
  const auto encoder_layer = make_encoder_layer();
  const auto lstm = make_lstm();
  encoder_layer->eval();
  lstm->eval();
  if (!load) {
    export_case(dir, "transformer_encoder_layer", *encoder_layer, encoder_layer_inputs());
    export_case(dir, "lstm", *lstm, lstm_inputs());
    return 0;
  }
  const bool encoder_ok = check_case(dir, "transformer_encoder_layer", *encoder_layer);
  const bool ok = check_case(dir, "lstm", *lstm) && encoder_ok;
  if (!ok) spdlog::error("an output differs from torch's by more than {}", kTolerance);
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  spdlog::error("{}", e.what());
  return 1;
}
