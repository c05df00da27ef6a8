#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "ember/core/safetensors.h"
#include "ember/ember.h"

using namespace ember;

namespace {

class Block : public nn::Module {
 public:
  Block() {
    proj_ = register_module("proj", std::make_shared<nn::Linear>(3, 2));
    scale_ = register_parameter("scale", Tensor::ones({2}));
  }
  Tensor forward(const Tensor& x) const { return proj_->forward(x) * scale_; }

 private:
  std::shared_ptr<nn::Linear> proj_;
  Tensor scale_;
};

class Net : public nn::Module {
 public:
  Net() {
    layers_ = register_module("layers", std::make_shared<nn::ModuleList<Block>>());
    layers_->push_back(std::make_shared<Block>());
    layers_->push_back(std::make_shared<Block>());
    head_ = register_parameter("head", Tensor::zeros({2, 2}));
  }
  std::shared_ptr<nn::ModuleList<Block>> layers_;
  Tensor head_;
};

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

// As torch's state_dict: a module's own parameters first, then each submodule's, in registration order.
TEST_CASE("named_parameters yields torch's dotted state_dict keys in torch's order") {
  Net net;
  std::vector<std::string> names;
  for (const auto& [name, p] : net.named_parameters()) {
    names.push_back(name);
    CHECK(p.requires_grad());
  }
  CHECK(names == std::vector<std::string>{"head", "layers.0.scale", "layers.0.proj.weight",
                                          "layers.0.proj.bias", "layers.1.scale",
                                          "layers.1.proj.weight", "layers.1.proj.bias"});
  CHECK(net.num_parameters() == 4 + 2 * (6 + 2 + 2));
  CHECK(net.state_dict().size() == 7);
}

TEST_CASE("train/eval recurse and zero_grad clears every gradient") {
  Net net;
  net.eval();
  CHECK_FALSE(net.layers_->is_training());
  CHECK_FALSE((*net.layers_)[1].is_training());
  net.train();
  CHECK((*net.layers_)[0].is_training());
  (*net.layers_)[0].forward(Tensor::ones({1, 3})).sum().backward();
  CHECK(net.parameters()[1].grad().defined());
  net.zero_grad();
  for (const Tensor& p : net.parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("load_state_dict copies values and refuses bad states without changing anything") {
  Net a, b;
  b.load_state_dict(a.state_dict());
  CHECK(b.state_dict().at("layers.1.proj.weight").to_vector() ==
        a.state_dict().at("layers.1.proj.weight").to_vector());

  const std::vector<float> before = b.state_dict().at("head").to_vector();
  nn::StateDict bad = a.state_dict();
  bad["head"] = NDArray::ones({2, 2});
  bad["layers.0.scale"] = NDArray::ones({3});
  bad.erase("layers.1.scale");
  bad["extra"] = NDArray::ones({1});
  CHECK_THROWS_WITH_AS(b.load_state_dict(bad),
                       doctest::Contains("'layers.0.scale' has shape (3,) in the state but (2,)"),
                       Error);
  CHECK_THROWS_WITH_AS(b.load_state_dict(bad), doctest::Contains("missing key 'layers.1.scale'"),
                       Error);
  CHECK_THROWS_WITH_AS(b.load_state_dict(bad), doctest::Contains("unexpected key 'extra'"), Error);
  CHECK(b.state_dict().at("head").to_vector() == before);  // nothing was loaded

  bad["layers.0.scale"] = NDArray::ones({2});
  const nn::Module::LoadReport report = b.load_state_dict(bad, /*strict=*/false);
  CHECK(report.missing == std::vector<std::string>{"layers.1.scale"});
  CHECK(report.unexpected == std::vector<std::string>{"extra"});
  CHECK(b.state_dict().at("head").to_vector() == std::vector<float>(4, 1.0f));
}

TEST_CASE("save and load round-trip through safetensors; a corrupt file is refused") {
  Net a, b;
  const std::string path = temp_path("ember_test_module.safetensors");
  nn::save(a, path);
  nn::load(b, path);
  CHECK(b.state_dict().at("layers.0.proj.bias").to_vector() ==
        a.state_dict().at("layers.0.proj.bias").to_vector());
  std::filesystem::resize_file(path, 20);
  CHECK_THROWS_WITH_AS(nn::load(b, path), doctest::Contains("[safetensors]"), Error);
  std::remove(path.c_str());
}

TEST_CASE("saved weights carry checksums: a flipped bit is refused, a file without any loads") {
  Net a, b;
  const std::string path = temp_path("ember_test_module_sums.safetensors");
  nn::save(a, path, {{"note", "kept"}});
  core::SafeTensors st = core::load_safetensors(path);
  CHECK(st.metadata.at("format") == "pt");
  CHECK(st.metadata.at("note") == "kept");
  REQUIRE(st.metadata.count("checksums") == 1);

  core::SafeTensors flipped = st;
  NDArray head = flipped.floats.at("head").clone();
  uint32_t bits;
  std::memcpy(&bits, head.data() + 1, 4);
  bits ^= 1u << 30;  // the top exponent bit: 0 becomes 2
  std::memcpy(head.data() + 1, &bits, 4);
  flipped.floats["head"] = head;
  core::save_safetensors(path, flipped);  // written as is: the stored checksums are stale
  const std::vector<float> before = b.state_dict().at("head").to_vector();
  CHECK_THROWS_WITH_AS(nn::load(b, path),
                       doctest::Contains(("[load] " + path + ": key 'head' fails its checksum").c_str()),
                       Error);
  CHECK(b.state_dict().at("head").to_vector() == before);

  // A plain safetensors file (PyTorch's, say) has no checksums and loads as before.
  flipped.metadata.erase("checksums");
  flipped.metadata.erase("note");
  core::save_safetensors(path, flipped);
  CHECK_NOTHROW(nn::load(b, path));
  CHECK(b.state_dict().at("head").to_vector()[1] == head.data()[1]);
  std::remove(path.c_str());
}

TEST_CASE("Sequential applies its modules in order, named 0, 1, ...") {
  nn::Sequential seq;
  seq.push_back(std::make_shared<nn::Linear>(3, 4)).push_back(std::make_shared<nn::Linear>(4, 1));
  CHECK(seq.size() == 2);
  CHECK(seq.named_parameters()[2].first == "1.weight");
  CHECK(seq.forward(Tensor::ones({5, 3})).shape() == Shape{5, 1});
}

TEST_CASE("registration errors name the key") {
  struct Twice : nn::Module {
    Twice() {
      register_parameter("w", Tensor::ones({1}));
      register_parameter("w", Tensor::ones({1}));
    }
  };
  CHECK_THROWS_WITH_AS(Twice(), doctest::Contains("[register_parameter] 'w' registered twice"),
                       Error);
}

namespace {

// ember's printout less its parameter counts: what torch prints.
std::string without_counts(const std::string& text) {
  return std::regex_replace(text, std::regex("  # [0-9]+ parameters?"), "");
}

// torch: class Net(nn.Module) with self.encoder = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 3))
// and self.norm = nn.LayerNorm(3)
namespace torch_like {  // a second Net in this file; printed by its class name alone
class Net : public nn::Module {
 public:
  Net() {
    auto encoder = std::make_shared<nn::Sequential>();
    encoder->push_back(std::make_shared<nn::Linear>(2, 3));
    encoder->push_back(std::make_shared<nn::Linear>(3, 3));
    register_module("encoder", encoder);
    register_module("norm", std::make_shared<nn::LayerNorm>(3));
  }
};
}  // namespace torch_like

}  // namespace

// The torch strings below are repr(m) printed by PyTorch 1.13 for the module in the comment.
TEST_CASE("a module prints as PyTorch prints a model, with parameter counts") {
  nn::Sequential seq;
  seq.push_back(std::make_shared<nn::Linear>(4, 4));
  seq.push_back(std::make_shared<nn::Linear>(4, 1, false));
  const std::string printed = nn::to_string(seq);
  CHECK(printed ==
        "Sequential(  # 24 parameters\n"
        "  (0): Linear(in_features=4, out_features=4, bias=True)  # 20 parameters\n"
        "  (1): Linear(in_features=4, out_features=1, bias=False)  # 4 parameters\n"
        ")");
  // torch: nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 1, bias=False))
  CHECK(without_counts(printed) ==
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=4, bias=True)\n"
        "  (1): Linear(in_features=4, out_features=1, bias=False)\n"
        ")");
  std::ostringstream out;
  out << seq;
  CHECK(out.str() == printed);
  CHECK(fmt::format("{}", seq) == printed);

  const torch_like::Net net;
  CHECK(nn::to_string(net).find("Net(  # 27 parameters\n") == 0);
  CHECK(without_counts(fmt::format("{}", net)) ==
        "Net(\n"
        "  (encoder): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): Linear(in_features=3, out_features=3, bias=True)\n"
        "  )\n"
        "  (norm): LayerNorm((3,), eps=1e-05, elementwise_affine=True)\n"
        ")");
}

TEST_CASE("each layer prints its options as torch's extra_repr does") {
  // torch: nn.LayerNorm(4)
  CHECK(nn::to_string(nn::LayerNorm(4)) ==
        "LayerNorm((4,), eps=1e-05, elementwise_affine=True)  # 8 parameters");
  // torch: nn.Embedding(10, 4, padding_idx=0)
  CHECK(nn::to_string(nn::Embedding(10, 4, 0)) ==
        "Embedding(10, 4, padding_idx=0)  # 40 parameters");
  // torch: nn.LSTM(4, 8, num_layers=2, batch_first=True, bidirectional=True, dropout=0.25)
  CHECK(nn::to_string(nn::LSTM({.input_size = 4, .hidden_size = 8, .num_layers = 2,
                                .batch_first = true, .bidirectional = true, .dropout = 0.25f})) ==
        "LSTM(4, 8, num_layers=2, batch_first=True, dropout=0.25, bidirectional=True)"
        "  # 2560 parameters");
  // torch: nn.Conv1d(4, 8, 3, padding=1, dilation=2, bias=False), whose class is Conv1d
  CHECK(nn::to_string(nn::Conv1D(4, 8, 3, {.padding = 1, .dilation = 2, .bias = false})) ==
        "Conv1D(4, 8, kernel_size=(3,), stride=(1,), padding=(1,), dilation=(2,), bias=False)"
        "  # 96 parameters");
  // torch: nn.GRUCell(4, 8, bias=False)
  CHECK(nn::to_string(nn::GRUCell(4, 8, false)) == "GRUCell(4, 8, bias=False)  # 288 parameters");
  // A recurrent layer or cell built from its cell type (as the seq2seq models build them) prints
  // torch's class name for that type. torch: nn.RNN(4, 8, batch_first=True), nn.LSTMCell(4, 8)
  CHECK(nn::to_string(nn::RecurrentLayer(CellType::kRnnTanh, {.input_size = 4, .hidden_size = 8,
                                                              .batch_first = true})) ==
        "RNN(4, 8, batch_first=True)  # 112 parameters");
  CHECK(nn::to_string(nn::RecurrentCell(CellType::kLstm, 4, 8)) ==
        "LSTMCell(4, 8)  # 448 parameters");
  // ember's Dropout has no inplace option (torch: "Dropout(p=0.1, inplace=False)")
  CHECK(nn::to_string(nn::Dropout(0.1f)) == "Dropout(p=0.1)");
}
