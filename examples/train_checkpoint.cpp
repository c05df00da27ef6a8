// A complete small training program (docs/training.md): model, data, loop with gradient
// accumulation, AdamW, a warmup + cosine schedule, gradient clipping, evaluation, and training
// checkpoints that let the run stop and resume exactly.
//
//   ./build/examples/train_checkpoint run.ckpt                 # 240 updates straight
//   ./build/examples/train_checkpoint run.ckpt --stop-at 100   # stops (saving) after update 100
//   ./build/examples/train_checkpoint run.ckpt                 # resumes at 101 and finishes
//
// Both ways end with the same weights fingerprint: resuming is bit-exact.
#include <spdlog/spdlog.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/layers/dropout.h"
#include "ember/layers/linear.h"
#include "ember/optim/adam.h"
#include "ember/optim/checkpoint.h"
#include "ember/optim/clip_grad.h"
#include "ember/optim/schedule.h"

using namespace ember;

// [model]
// A classifier of 8-dimensional points into 4 classes: Linear -> ReLU -> Dropout -> Linear.
//   x: (B, 8)  ->  logits: (B, 4)
class Classifier : public nn::Module {
 public:
  Classifier() {
    fc1_ = register_module("fc1", std::make_shared<nn::Linear>(8, 32));
    drop_ = register_module("drop", std::make_shared<nn::Dropout>(0.1f));
    fc2_ = register_module("fc2", std::make_shared<nn::Linear>(32, 4));
  }
  Tensor forward(const Tensor& x) const {
    return fc2_->forward(drop_->forward(relu(fc1_->forward(x))));
  }

 private:
  std::shared_ptr<nn::Linear> fc1_, fc2_;
  std::shared_ptr<nn::Dropout> drop_;
};
// [model]

// [data]
// Points around 4 fixed random centres: x = centre[label] + N(0, 1); `seed` picks the points.
struct Dataset {
  NDArray x;          // (N, 8)
  IndexArray labels;  // (N)
};

Dataset make_data(int64_t n, uint64_t seed) {
  const NDArray centres = core::Generator(7).normal({4, 8});
  core::Generator gen(seed);
  Dataset d{gen.normal({n, 8}), {}};
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    labels.push_back(gen.randint(4));
    d.x.select(0, i).add_(centres.select(0, labels.back()));
  }
  d.labels = IndexArray(labels);
  return d;
}

// The rows of batch `b` in `epoch`: a permutation drawn from (seed, epoch) alone, so a run
// resumed in the middle of an epoch sees the same batches.
IndexArray batch_rows(int64_t n, int64_t epoch, int64_t b, int64_t batch) {
  core::Generator gen(1000 + static_cast<uint64_t>(epoch));
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[gen.randint(i + 1)]);
  return IndexArray(
      std::vector<int64_t>(order.begin() + b * batch, order.begin() + (b + 1) * batch));
}
// [data]

// [step]
// One update from a batch of `rows`, as kMicro micro-batches whose gradients accumulate: each
// micro-batch's mean loss is divided by kMicro, so the sum is the whole batch's mean loss.
constexpr int64_t kBatch = 32, kMicro = 2;

float train_step(Classifier& model, optim::Optimizer& opt, const optim::Schedule& schedule,
                 const Dataset& data, const IndexArray& rows, int64_t step) {
  opt.zero_grad();
  float total = 0.0f;
  const int64_t micro = kBatch / kMicro;
  for (int64_t m = 0; m < kMicro; ++m) {
    const IndexArray part(std::vector<int64_t>(rows.values().begin() + m * micro,
                                               rows.values().begin() + (m + 1) * micro));
    const Tensor x = index_select(Tensor(data.x), 0, part);
    std::vector<int64_t> y;
    for (int64_t r : part.values()) y.push_back(data.labels[r]);
    const Tensor loss = cross_entropy(model.forward(x), IndexArray(y)) / static_cast<float>(kMicro);
    loss.backward();
    total += loss.item();
  }
  optim::clip_grad_norm(model.parameters(), /*max_norm=*/1.0f);
  opt.set_lr(schedule.rate(step));  // step counts updates from 1
  opt.step();
  return total;
}
// [step]

// Mean loss and accuracy on `data`, without dropout or a graph.
std::pair<float, float> evaluate(Classifier& model, const Dataset& data) {
  NoGradGuard no_grad;
  model.eval();
  const Tensor logits = model.forward(Tensor(data.x));
  const float loss = cross_entropy(logits, data.labels).item();
  const IndexArray guess = argmax(logits, 1);
  int64_t right = 0;
  for (int64_t i = 0; i < guess.numel(); ++i) right += guess[i] == data.labels[i];
  model.train();
  return {loss, static_cast<float>(right) / static_cast<float>(guess.numel())};
}

// A 64-bit FNV-1a hash of every parameter's bytes: equal fingerprints, equal weights.
uint64_t fingerprint(const nn::Module& model) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const Tensor& p : model.parameters()) {
    const std::vector<float> v = p.to_vector();
    const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
    for (size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  }
  return h;
}

// [main]
int main(int argc, char** argv) try {
  if (argc < 2) {
    spdlog::error("usage: {} CHECKPOINT [--stop-at STEP]", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const int64_t stop_at =
      argc > 3 && std::strcmp(argv[2], "--stop-at") == 0 ? std::stoll(argv[3]) : -1;
  constexpr int64_t kSteps = 240, kSaveEvery = 50;

  core::manual_seed(0);  // initialisation and dropout draw from the default generator
  const Dataset train = make_data(512, 1), valid = make_data(256, 2);
  const int64_t per_epoch = train.labels.numel() / kBatch;
  Classifier model;
  optim::AdamW opt(model.parameters(), {.lr = 3e-3f, .weight_decay = 0.01f});
  optim::WarmupCosine schedule(3e-3f, /*warmup_steps=*/20, /*total_steps=*/kSteps);
  optim::TrainingState state{.model = &model, .optimizer = &opt, .schedule = &schedule};

  if (std::filesystem::exists(path)) {
    optim::load_checkpoint(path, state);  // model, moments, schedule, generator, counters
    spdlog::info("resumed from {} at step {} (epoch {})", path, state.step, state.epoch);
  }
  while (state.step < kSteps) {
    const int64_t step = state.step + 1;
    state.epoch = state.step / per_epoch;
    const IndexArray rows =
        batch_rows(train.labels.numel(), state.epoch, state.step % per_epoch, kBatch);
    const float loss = train_step(model, opt, schedule, train, rows, step);
    state.step = step;
    if (step % per_epoch == 0) {
      const auto [valid_loss, accuracy] = evaluate(model, valid);
      spdlog::info("step {:3d}  train loss {:.4f}  valid loss {:.4f}  accuracy {:.3f}  lr {:.2e}",
                   step, loss, valid_loss, accuracy, schedule.rate(step));
    }
    if (step % kSaveEvery == 0 || step == kSteps || step == stop_at)
      optim::save_checkpoint(path, state);
    if (step == stop_at) {
      spdlog::info("stopped after step {}; run again to resume", step);
      return 0;
    }
  }
  spdlog::info("done: step {}, weights fingerprint {:016x}", state.step, fingerprint(model));
  return 0;
} catch (const ember::Error& e) {
  spdlog::error("{}", e.what());
  return 1;
}
// [main]
