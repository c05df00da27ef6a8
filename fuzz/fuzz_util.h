// Shared by the fuzz targets and make_seeds.cpp: scratch files in /dev/shm named per process,
// the input split into parts, and the small training run whose checkpoints fuzz_checkpoint loads.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/ember.h"

namespace ember::fuzz {

// The parts of a tokenizer input: tokenizer.json, the vocabulary (vocab.json), the SentencePiece
// model, and a text to encode, in that order, separated by this line.
constexpr std::string_view kSeparator = "\n--ember-fuzz--\n";

inline std::vector<std::string> split_parts(std::string_view input) {
  std::vector<std::string> parts;
  for (;;) {
    const size_t at = input.find(kSeparator);
    parts.emplace_back(input.substr(0, at));
    if (at == std::string_view::npos) return parts;
    input.remove_prefix(at + kSeparator.size());
  }
}

// A directory /dev/shm/ember-fuzz-<name>-<pid> (RAM, not the disk), made on first use and kept
// for the life of the process: every input reuses it.
inline const std::filesystem::path& scratch_dir(const std::string& name) {
  static const std::filesystem::path dir = [&] {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? "/dev/shm"
                                           : std::filesystem::temp_directory_path();
    std::filesystem::path p = base / ("ember-fuzz-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    return p;
  }();
  return dir;
}

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The model of fuzz_checkpoint: fc (Linear 3 -> 2) inside a Module, so names are "fc.weight".
class TinyNet : public nn::Module {
 public:
  TinyNet() : fc(register_module("fc", std::make_shared<nn::Linear>(3, 2))) {}
  std::shared_ptr<nn::Linear> fc;
};

// The training run of fuzz_checkpoint: TinyNet, AdamW and ReduceOnPlateau (the schedule with the
// most state), and a data generator, all in one TrainingState. Fresh for every input, so that a
// loaded checkpoint never leaks into the next one.
struct TinyRun {
  TinyRun() {
    state.model = net.get();
    state.optimizer = &optimizer;
    state.schedule = &schedule;
    state.generators = {{"data", &data}};
  }
  // One update, so that the optimizer has its buffers and the schedule a history.
  void step() {
    const Tensor x(data.normal({4, 3}));
    optimizer.zero_grad();
    Tensor loss = sum(net->fc->forward(x));
    loss.backward();
    optimizer.step();
    schedule.observe(loss.item());
    ++state.step;
  }

  std::shared_ptr<TinyNet> net = std::make_shared<TinyNet>();
  optim::AdamW optimizer{net->parameters(), {.lr = 0.01f}};
  optim::ReduceOnPlateau schedule{0.01f, {.factor = 0.5f, .patience = 1}};
  core::Generator data{7};
  optim::TrainingState state;
};

}  // namespace ember::fuzz
