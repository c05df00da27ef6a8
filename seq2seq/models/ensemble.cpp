#include "ember/seq2seq/models/ensemble.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "ember/autograd/grad_mode.h"
#include "ember/core/elementwise.h"
#include "ember/core/error.h"
#include "ember/core/softmax.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kTag = "ensemble";

// One decoding state per member; beam search's reordering applies to each.
class EnsembleState : public DecoderState {
 public:
  std::vector<std::unique_ptr<DecoderState>> members;

  void select(const IndexArray& rows) override {
    for (auto& state : members) state->select(rows);
  }
  // The mean of the members' attention weights, over those that report some.
  NDArray last_attention() const override {
    NDArray sum;
    int64_t count = 0;
    for (const auto& state : members) {
      const NDArray a = state->last_attention();
      if (!a.defined()) continue;
      sum = count == 0 ? a.clone() : core::add(sum, a);
      ++count;
    }
    return count <= 1 ? sum : core::mul_scalar(sum, 1.0f / static_cast<float>(count));
  }
};

// The log of the mean probability, element-wise over M arrays of log-probabilities of one shape:
// logsumexp_m(l_m) - log M, shifted by the largest l_m so that no exp overflows or underflows.
NDArray log_mean_exp(const std::vector<NDArray>& logps, const char* what) {
  const Shape& shape = logps.front().shape();
  std::vector<NDArray> parts;
  for (size_t m = 0; m < logps.size(); ++m) {
    EMBER_CHECK(logps[m].shape() == shape,
                "[{}] {}: member {} returned {} but member 0 returned {} (another vocabulary "
                "size?)",
                kTag, what, m, fmt::format("{}", logps[m].shape()), fmt::format("{}", shape));
    parts.push_back(logps[m].contiguous());
  }
  if (parts.size() == 1) return parts.front();
  const double log_m = std::log(static_cast<double>(parts.size()));
  NDArray out = NDArray::empty(shape);
  const int64_t n = out.numel();
  for (int64_t i = 0; i < n; ++i) {
    float top = -std::numeric_limits<float>::infinity();
    for (const NDArray& p : parts) top = std::max(top, p.data()[i]);
    if (!std::isfinite(top)) {  // every member gives probability 0 (or a NaN came in)
      out.data()[i] = top;
      continue;
    }
    double sum = 0.0;
    for (const NDArray& p : parts) sum += std::exp(static_cast<double>(p.data()[i]) - top);
    out.data()[i] = static_cast<float>(top + std::log(sum) - log_m);
  }
  return out;
}

}  // namespace

EnsembleModel::EnsembleModel(std::vector<std::shared_ptr<Seq2SeqModel>> members)
    : members_(std::move(members)) {
  EMBER_CHECK(!members_.empty(), "[{}] needs at least one model", kTag);
  for (size_t m = 0; m < members_.size(); ++m) {
    EMBER_CHECK(members_[m] != nullptr, "[{}] member {} is null", kTag, m);
    register_module(std::to_string(m), members_[m]);
  }
}

Tensor EnsembleModel::forward(const Batch& batch) {
  NoGradGuard no_grad;
  std::vector<NDArray> logps;
  for (const auto& member : members_) {
    const NDArray logits = member->forward(batch).data();
    logps.push_back(core::log_softmax(logits, logits.dim() - 1));
  }
  return Tensor(log_mean_exp(logps, "forward"));
}

std::unique_ptr<DecoderState> EnsembleModel::start(const IndexArray& src,
                                                   const std::vector<int64_t>& src_lengths) {
  auto state = std::make_unique<EnsembleState>();
  for (const auto& member : members_) state->members.push_back(member->start(src, src_lengths));
  return state;
}

Tensor EnsembleModel::step(const IndexArray& tokens, DecoderState& state) {
  auto* s = dynamic_cast<EnsembleState*>(&state);
  EMBER_CHECK(s != nullptr && s->members.size() == members_.size(),
              "[{}] step needs a state made by this ensemble's start()", kTag);
  NoGradGuard no_grad;
  std::vector<NDArray> logps;
  for (size_t m = 0; m < members_.size(); ++m)
    logps.push_back(members_[m]->step(tokens, *s->members[m]).data());
  return Tensor(log_mean_exp(logps, "step"));
}

std::string EnsembleModel::describe() const {
  std::string out = fmt::format("ensemble of {}:", members_.size());
  for (size_t m = 0; m < members_.size(); ++m)
    out += fmt::format("{} ({}) {}", m == 0 ? "" : ";", m + 1, members_[m]->describe());
  return out;
}

}  // namespace ember::seq2seq
