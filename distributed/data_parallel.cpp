// DataParallel: buckets of gradients, started during backward and waited for after it.
#include "ember/distributed/data_parallel.h"

#include <chrono>
#include <cstring>
#include <unordered_map>

#include "ember/autograd/leaf_gradient_hook.h"
#include "ember/core/error.h"
#include "ember/distributed/collectives.h"

namespace ember::distributed {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// "name (shape)" of every parameter, one a line: what every rank must agree on.
std::string parameter_list(const nn::Module& module) {
  std::string list;
  for (const auto& [name, p] : module.named_parameters())
    list += fmt::format("{} {}\n", name, core::shape_str(p.shape()));
  return list;
}

// The first line where two parameter lists differ ("(none)" past the end of one).
std::pair<std::string, std::string> first_difference(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    const size_t ie = std::min(a.find('\n', i), a.size()), je = std::min(b.find('\n', j), b.size());
    std::string la = i < a.size() ? a.substr(i, ie - i) : "(none)";
    std::string lb = j < b.size() ? b.substr(j, je - j) : "(none)";
    if (la != lb) return {la, lb};
    i = ie + 1;
    j = je + 1;
  }
  return {};
}

}  // namespace

struct DataParallel::Bucket {
  std::vector<size_t> params;  // indices into params_, in the bucket's order
  std::vector<int64_t> offsets;
  std::vector<float> buffer;
  std::vector<bool> filled;  // per parameter of the bucket: its gradient is in the buffer
  size_t ready = 0;
  std::unique_ptr<PendingAllReduce> pending;
};

DataParallel::DataParallel(nn::Module& module, DataParallelOptions options) : options_(options) {
  // A parameter registered twice (shared weights) is reduced once.
  std::unordered_map<const TensorImpl*, bool> seen;
  for (const Tensor& p : module.parameters())
    if (seen.emplace(p.impl(), true).second) params_.push_back(p);
  EMBER_CHECK(options_.bucket_bytes >= 1, "[data_parallel] bucket_bytes is {}: must be 1 or more",
              options_.bucket_bytes);
  if (world_size() == 1) return;
  const std::vector<std::string> lists = all_gather(parameter_list(module));
  for (int r = 1; r < world_size(); ++r) {
    if (lists[r] == lists[0]) continue;
    const auto [on_0, on_r] = first_difference(lists[0], lists[r]);
    throw Error(fmt::format(
        "[data_parallel] the ranks hold different models: rank 0 has parameter '{}' where rank "
        "{} has '{}'",
        on_0, r, on_r));
  }
  for (const Tensor& p : params_) broadcast(p.data());

  // Reverse registration order: the output layers, whose gradients backward finishes first,
  // fill the first bucket.
  const int64_t capacity = std::max<int64_t>(options_.bucket_bytes / sizeof(float), 1);
  for (size_t k = params_.size(); k-- > 0;) {
    const int64_t n = params_[k].data().numel();
    if (buckets_.empty() || (!buckets_.back()->params.empty() &&
                             static_cast<int64_t>(buckets_.back()->buffer.size()) + n > capacity))
      buckets_.push_back(std::make_unique<Bucket>());
    Bucket& b = *buckets_.back();
    slot_of_param_.resize(params_.size());
    slot_of_param_[k] = {buckets_.size() - 1, b.params.size()};
    b.params.push_back(k);
    b.offsets.push_back(static_cast<int64_t>(b.buffer.size()));
    b.buffer.resize(b.buffer.size() + n);
    b.filled.push_back(false);
  }
}

DataParallel::~DataParallel() = default;

int64_t DataParallel::num_buckets() const { return static_cast<int64_t>(buckets_.size()); }

void DataParallel::backward(const Tensor& loss) {
  const auto t0 = std::chrono::steady_clock::now();
  if (world_size() == 1) {
    loss.backward();
    timing_ = {.backward = seconds_since(t0), .wait = 0.0};
    return;
  }
  std::unordered_map<const TensorImpl*, size_t> index;
  for (size_t k = 0; k < params_.size(); ++k) index.emplace(params_[k].impl(), k);
  {
    const LeafGradientHookGuard guard([&](const Tensor& leaf) {
      const auto it = index.find(leaf.impl());
      if (it != index.end()) on_gradient_ready(it->second);
    });
    loss.backward();
  }
  timing_.backward = seconds_since(t0);
  finish();
}

void DataParallel::reduce_gradients() {
  timing_.backward = 0.0;
  if (world_size() == 1) return;
  for (size_t k = 0; k < params_.size(); ++k)
    if (params_[k].grad().defined()) on_gradient_ready(k);
  finish();
}

void DataParallel::on_gradient_ready(size_t param) {
  const Slot& slot = slot_of_param_[param];
  Bucket& b = *buckets_[slot.bucket];
  if (b.filled[slot.index]) return;
  const NDArray grad = params_[param].grad().contiguous();
  std::memcpy(b.buffer.data() + b.offsets[slot.index], grad.data(), grad.numel() * sizeof(float));
  b.filled[slot.index] = true;
  if (++b.ready == b.params.size()) start_ready_buckets();
}

void DataParallel::start_ready_buckets() {
  while (next_bucket_ < buckets_.size() &&
         buckets_[next_bucket_]->ready == buckets_[next_bucket_]->params.size()) {
    Bucket& b = *buckets_[next_bucket_++];
    b.pending = std::make_unique<PendingAllReduce>(std::span<float>(b.buffer));
  }
  // MPI advances a non-blocking collective only inside MPI calls: test the ones in flight.
  for (size_t k = 0; k < next_bucket_; ++k)
    if (buckets_[k]->pending) buckets_[k]->pending->test();
}

void DataParallel::finish() {
  const auto t0 = std::chrono::steady_clock::now();
  for (auto& bucket : buckets_) {  // parameters without a gradient on this rank: zeros
    Bucket& b = *bucket;
    for (size_t i = 0; i < b.params.size(); ++i) {
      if (b.filled[i]) continue;
      const int64_t n = params_[b.params[i]].data().numel();
      std::memset(b.buffer.data() + b.offsets[i], 0, n * sizeof(float));
      b.filled[i] = true;
      ++b.ready;
    }
  }
  start_ready_buckets();
  const float scale = options_.reduction == DataParallelOptions::Reduction::kMean
                          ? 1.0f / static_cast<float>(world_size())
                          : 1.0f;
  for (auto& bucket : buckets_) {
    Bucket& b = *bucket;
    b.pending->wait();
    b.pending.reset();
    for (size_t i = 0; i < b.params.size(); ++i) {
      const Tensor& p = params_[b.params[i]];
      NDArray& grad = p.impl()->grad;
      if (!grad.defined() || !grad.is_contiguous() || !grad.sole_owner())
        grad = NDArray::empty(p.shape());
      const float* from = b.buffer.data() + b.offsets[i];
      float* to = grad.data();
      for (int64_t j = 0; j < grad.numel(); ++j) to[j] = from[j] * scale;
      grad.mark_modified();
      b.filled[i] = false;
    }
    b.ready = 0;
  }
  next_bucket_ = 0;
  timing_.wait = seconds_since(t0);
}

}  // namespace ember::distributed
