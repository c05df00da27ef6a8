// Length-bucketed batches under a token budget, and their padding.
#include "ember/seq2seq/data/batching.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "ember/core/error.h"
#include "ember/seq2seq/data/vocab.h"

namespace ember::seq2seq {
namespace {

struct Lengths {
  int64_t source;  // S of the example alone
  int64_t target;  // T of the example alone
};

Lengths padded_lengths(const Example& example, bool add_source_eos) {
  return {static_cast<int64_t>(example.source.size()) + (add_source_eos ? 1 : 0),
          static_cast<int64_t>(example.target.size()) + 1};
}

// Example indices in (S, T) order; ties in a random order drawn from the generator, if any.
std::vector<int64_t> length_order(const std::vector<Lengths>& lengths, core::Generator* generator) {
  const size_t n = lengths.size();
  std::vector<uint64_t> tie_break(n, 0);
  if (generator != nullptr)
    for (uint64_t& key : tie_break) key = generator->next_u64();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const Lengths& la = lengths[a];
    const Lengths& lb = lengths[b];
    if (la.source != lb.source) return la.source < lb.source;
    if (la.target != lb.target) return la.target < lb.target;
    return tie_break[a] < tie_break[b];
  });
  return order;
}

// Fisher-Yates with the generator's uniform integers.
void shuffle(std::vector<std::vector<int64_t>>& batches, core::Generator& generator) {
  for (int64_t i = static_cast<int64_t>(batches.size()) - 1; i > 0; --i)
    std::swap(batches[i], batches[generator.randint(i + 1)]);
}

}  // namespace

int64_t Batch::num_target_tokens() const {
  return std::accumulate(target_lengths.begin(), target_lengths.end(), int64_t{0});
}

std::vector<std::vector<int64_t>> plan_batches(const std::vector<Example>& examples,
                                               const BatchOptions& options,
                                               core::Generator* generator) {
  EMBER_CHECK(options.max_tokens > 0, "[batching] max_tokens must be > 0, got {}",
              options.max_tokens);
  EMBER_CHECK(options.max_batch_size >= 0, "[batching] max_batch_size must be >= 0, got {}",
              options.max_batch_size);
  std::vector<Lengths> lengths;
  lengths.reserve(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    const Lengths l = padded_lengths(examples[i], options.add_source_eos);
    EMBER_CHECK(std::max(l.source, l.target) <= options.max_tokens,
                "[batching] example {} alone needs {} tokens (source {}, target {}) but max_tokens "
                "is {}",
                i, std::max(l.source, l.target), l.source, l.target, options.max_tokens);
    lengths.push_back(l);
  }
  std::vector<std::vector<int64_t>> batches;
  std::vector<int64_t> current;
  int64_t width = 0;  // max(S, T) of the current batch
  for (int64_t index : length_order(lengths, generator)) {
    const int64_t grown = std::max({width, lengths[index].source, lengths[index].target});
    const int64_t count = static_cast<int64_t>(current.size()) + 1;
    const bool full = count * grown > options.max_tokens ||
                      (options.max_batch_size > 0 && count > options.max_batch_size);
    if (full) {
      batches.push_back(std::move(current));
      current.clear();
      width = 0;
    }
    current.push_back(index);
    width = std::max({width, lengths[index].source, lengths[index].target});
  }
  if (!current.empty()) batches.push_back(std::move(current));
  if (generator != nullptr) shuffle(batches, *generator);
  return batches;
}

int64_t num_target_tokens(const std::vector<Example>& examples,
                          const std::vector<int64_t>& indices) {
  int64_t tokens = 0;
  for (int64_t index : indices) tokens += padded_lengths(examples.at(index), true).target;
  return tokens;
}

std::vector<int64_t> rank_share(const std::vector<int64_t>& indices, int rank, int ranks) {
  EMBER_CHECK(ranks >= 1 && rank >= 0 && rank < ranks, "[batching] rank {} of {} ranks", rank,
              ranks);
  const int64_t n = static_cast<int64_t>(indices.size());
  return {indices.begin() + n * rank / ranks, indices.begin() + n * (rank + 1) / ranks};
}

Batch make_batch(const std::vector<Example>& examples, const std::vector<int64_t>& indices,
                 bool add_source_eos) {
  EMBER_CHECK(!indices.empty(), "[batching] a batch needs at least one example");
  const int64_t n = static_cast<int64_t>(examples.size());
  Batch batch;
  batch.indices = indices;
  int64_t s_max = 0, t_max = 0;
  for (int64_t index : indices) {
    EMBER_CHECK(index >= 0 && index < n, "[batching] example index {} out of range for {} examples",
                index, n);
    const Example& example = examples[index];
    EMBER_CHECK(!example.source.empty(),
                "[batching] example {} has an empty side, its source (only a target may be "
                "empty: its row predicts </s> alone)",
                index);
    const Lengths l = padded_lengths(example, add_source_eos);
    batch.source_lengths.push_back(l.source);
    batch.target_lengths.push_back(l.target);
    s_max = std::max(s_max, l.source);
    t_max = std::max(t_max, l.target);
  }
  const int64_t b_size = batch.size();
  std::vector<int64_t> source(b_size * s_max, kPadId);
  std::vector<int64_t> input(b_size * t_max, kPadId), output(b_size * t_max, kPadId);
  for (int64_t b = 0; b < b_size; ++b) {
    const Example& example = examples[indices[b]];
    const int64_t m = static_cast<int64_t>(example.source.size());
    const int64_t len = static_cast<int64_t>(example.target.size());
    std::copy(example.source.begin(), example.source.end(), source.begin() + b * s_max);
    if (add_source_eos) source[b * s_max + m] = kEosId;
    input[b * t_max] = kBosId;
    std::copy(example.target.begin(), example.target.end(), input.begin() + b * t_max + 1);
    std::copy(example.target.begin(), example.target.end(), output.begin() + b * t_max);
    output[b * t_max + len] = kEosId;
  }
  batch.source = core::IndexArray(std::move(source), {b_size, s_max});
  batch.target_input = core::IndexArray(std::move(input), {b_size, t_max});
  batch.target_output = core::IndexArray(std::move(output), {b_size, t_max});
  return batch;
}

}  // namespace ember::seq2seq
