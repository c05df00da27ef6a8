// Batching: examples grouped by length into batches under a token budget, shuffled with a seed,
// padded with <pad>. A Batch is token ids and lengths, what a model's forward and loss take
// (seq2seq/models/model.h); the models build their masks from the lengths
// (seq2seq/models/masks.h).
//
//   core::Generator generator(seed);                 // one per run; its state is the checkpoint's
//   for (int epoch = 0; epoch < epochs; ++epoch)
//     for (const auto& indices : plan_batches(examples, options, &generator)) {
//       Batch batch = make_batch(examples, indices, options.add_source_eos);
//       Tensor loss = model.loss(batch, {.ignore_index = kPadId});
//       ...
//     }
#pragma once

#include <cstdint>
#include <vector>

#include "ember/core/ndarray.h"
#include "ember/core/random.h"
#include "ember/seq2seq/data/parallel_corpus.h"

namespace ember::seq2seq {

struct BatchOptions {
  // The budget of a batch of B examples padded to source length S and target length T is
  // B * max(S, T) tokens, padding included (fairseq's --max-tokens rule).
  int64_t max_tokens = 4096;
  int64_t max_batch_size = 0;  // at most this many examples per batch (0 = no bound)
  bool add_source_eos = true;  // end every source with </s>, which counts in S
};

struct Batch {
  core::IndexArray source;         // (B, S)  x1 .. xm [</s>] <pad> ..
  core::IndexArray target_input;   // (B, T)  <s> y1 .. yn <pad> ..      (teacher forcing input)
  core::IndexArray target_output;  // (B, T)  y1 .. yn </s> <pad> ..     (what is predicted)
  std::vector<int64_t> source_lengths;  // (B) real tokens of each source row, </s> included
  std::vector<int64_t> target_lengths;  // (B) real tokens of each target row: n + 1
  std::vector<int64_t> indices;         // (B) where each row's example is in the example list

  int64_t size() const { return static_cast<int64_t>(indices.size()); }  // B
  int64_t num_target_tokens() const;  // sum of target_lengths: the tokens a loss is averaged over
};

// Splits the examples into batches of indices; every example is in exactly one batch. Examples
// are ordered by (source length, target length) and packed greedily while the batch stays within
// the budget, so a batch holds examples of similar lengths and little padding. With a generator,
// examples of equal lengths are ordered at random and the batches are shuffled: the same
// generator state gives the same plan, and each call advances it (a new order each epoch).
// Without one (nullptr) the plan is deterministic, in length order (evaluation).
// Throws "[batching]" when an example alone is over the budget or an option is out of range.
std::vector<std::vector<int64_t>> plan_batches(const std::vector<Example>& examples,
                                               const BatchOptions& options,
                                               core::Generator* generator);

// The target tokens make_batch(examples, indices) holds (Batch::num_target_tokens), without
// making the batch.
int64_t num_target_tokens(const std::vector<Example>& examples,
                          const std::vector<int64_t>& indices);

// Rank `rank`'s part of a batch split over `ranks` (data-parallel training): the consecutive
// indices [n * rank / ranks, n * (rank + 1) / ranks); empty when the batch has fewer examples
// than ranks.
std::vector<int64_t> rank_share(const std::vector<int64_t>& indices, int rank, int ranks);

// Pads the examples at `indices` (in that order) into a Batch. An empty target gives a row that
// predicts </s> alone (forced decoding scores an empty output so). Throws "[batching]" for an
// empty index list, an index out of range, or an example with an empty source.
Batch make_batch(const std::vector<Example>& examples, const std::vector<int64_t>& indices,
                 bool add_source_eos = true);

}  // namespace ember::seq2seq
