#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/seq2seq/data/batching.h"
#include "ember/seq2seq/data/vocab.h"

using namespace ember::seq2seq;
using ember::core::Generator;

namespace {

// Examples of varied lengths, target lengths near source lengths as in real parallel text, with
// ids >= 4 (never a special token).
std::vector<Example> random_examples(int64_t n, uint64_t seed) {
  Generator generator(seed);
  std::vector<Example> examples(static_cast<size_t>(n));
  for (Example& example : examples) {
    const int64_t s = 1 + generator.randint(30);
    const int64_t t = std::max<int64_t>(1, s - 2 + generator.randint(5));
    for (int64_t i = 0; i < s; ++i) example.source.push_back(4 + generator.randint(50));
    for (int64_t i = 0; i < t; ++i) example.target.push_back(4 + generator.randint(50));
  }
  return examples;
}

int64_t cost(const Batch& batch) {
  return batch.size() * std::max(batch.source.size(1), batch.target_input.size(1));
}

}  // namespace

TEST_CASE("make_batch pads and frames sources and targets") {
  const std::vector<Example> examples = {{{10, 11, 12}, {20, 21}}, {{13}, {22, 23, 24, 25}}};
  const Batch batch = make_batch(examples, {1, 0});
  CHECK(batch.size() == 2);
  CHECK(batch.indices == std::vector<int64_t>{1, 0});
  CHECK(batch.source.shape() == ember::core::Shape{2, 4});
  CHECK(batch.source.values() == std::vector<int64_t>{13, kEosId, 0, 0, 10, 11, 12, kEosId});
  CHECK(batch.target_input.shape() == ember::core::Shape{2, 5});
  CHECK(batch.target_input.values() ==
        std::vector<int64_t>{kBosId, 22, 23, 24, 25, kBosId, 20, 21, 0, 0});
  CHECK(batch.target_output.values() ==
        std::vector<int64_t>{22, 23, 24, 25, kEosId, 20, 21, kEosId, 0, 0});
  CHECK(batch.source_lengths == std::vector<int64_t>{2, 4});
  CHECK(batch.target_lengths == std::vector<int64_t>{5, 3});
  CHECK(batch.num_target_tokens() == 8);

  const Batch plain = make_batch(examples, {0}, /*add_source_eos=*/false);
  CHECK(plain.source.values() == std::vector<int64_t>{10, 11, 12});
  CHECK(plain.source_lengths == std::vector<int64_t>{3});
}

TEST_CASE("plan_batches covers every example once per epoch and respects the budget") {
  const std::vector<Example> examples = random_examples(1000, 7);
  BatchOptions options;
  options.max_tokens = 256;
  Generator generator(3);
  for (int epoch = 0; epoch < 3; ++epoch) {
    const auto plan = plan_batches(examples, options, &generator);
    std::vector<int64_t> seen;
    int64_t padding = 0, real = 0;
    for (const auto& indices : plan) {
      const Batch batch = make_batch(examples, indices);
      CHECK(cost(batch) <= options.max_tokens);
      seen.insert(seen.end(), indices.begin(), indices.end());
      real += batch.num_target_tokens();
      padding += batch.target_input.numel() - batch.num_target_tokens();
    }
    std::sort(seen.begin(), seen.end());
    std::vector<int64_t> all(examples.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
    CHECK(seen == all);
    // Length bucketing keeps target padding small.
    CHECK(padding * 4 < real);
  }
}

TEST_CASE("plan_batches is deterministic for a seed and differs across epochs and seeds") {
  const std::vector<Example> examples = random_examples(300, 11);
  BatchOptions options;
  options.max_tokens = 128;
  Generator a(5), b(5), c(6);
  const auto first = plan_batches(examples, options, &a);
  CHECK(first == plan_batches(examples, options, &b));
  CHECK(first != plan_batches(examples, options, &c));
  CHECK(first != plan_batches(examples, options, &a));  // the next epoch
  // Without a generator: the same length-ordered plan every time.
  CHECK(plan_batches(examples, options, nullptr) == plan_batches(examples, options, nullptr));
}

TEST_CASE("plan_batches applies max_batch_size and source </s> counts in the budget") {
  const std::vector<Example> examples = random_examples(200, 13);
  BatchOptions options;
  options.max_tokens = 100000;
  options.max_batch_size = 16;
  const auto plan = plan_batches(examples, options, nullptr);
  CHECK(plan.size() == 13);  // ceil(200 / 16)
  for (const auto& indices : plan) CHECK(indices.size() <= 16);

  const std::vector<Example> one = {{{4, 5, 6, 7}, {8}}};
  options = BatchOptions{};
  options.max_tokens = 4;
  CHECK_THROWS_WITH_AS(plan_batches(one, options, nullptr),
                       doctest::Contains("[batching] example 0 alone needs 5 tokens (source 5, "
                                         "target 2) but max_tokens is 4"),
                       ember::Error);
  options.add_source_eos = false;
  CHECK(plan_batches(one, options, nullptr).size() == 1);
}

TEST_CASE("batching errors") {
  const std::vector<Example> examples = {{{4}, {5}}, {{}, {5}}};
  BatchOptions options;
  options.max_tokens = 0;
  CHECK_THROWS_WITH_AS(plan_batches(examples, options, nullptr),
                       doctest::Contains("[batching] max_tokens must be > 0"), ember::Error);
  options.max_tokens = 10;
  options.max_batch_size = -1;
  CHECK_THROWS_WITH_AS(plan_batches(examples, options, nullptr),
                       doctest::Contains("[batching] max_batch_size must be >= 0"), ember::Error);
  CHECK_THROWS_WITH_AS(make_batch(examples, {}), doctest::Contains("[batching] a batch needs"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(make_batch(examples, {2}),
                       doctest::Contains("[batching] example index 2 out of range for 2"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(make_batch(examples, {0, 1}),
                       doctest::Contains("[batching] example 1 has an empty side"), ember::Error);
}

TEST_CASE("rank_share splits a batch into consecutive parts over the ranks, some possibly empty") {
  const std::vector<int64_t> batch{7, 3, 9, 1, 4};
  std::vector<int64_t> joined;
  for (int rank = 0; rank < 3; ++rank) {
    const std::vector<int64_t> part = rank_share(batch, rank, 3);
    CHECK(part.size() == (rank == 0 ? 1u : 2u));  // 5 * r / 3: 0, 1, 3, 5
    joined.insert(joined.end(), part.begin(), part.end());
  }
  CHECK(joined == batch);
  CHECK(rank_share({5}, 0, 2).empty());
  CHECK(rank_share({5}, 1, 2) == std::vector<int64_t>{5});
  CHECK_THROWS_WITH_AS(rank_share(batch, 3, 3), doctest::Contains("rank 3 of 3 ranks"),
                       ember::Error);
}

TEST_CASE("num_target_tokens counts what make_batch's target_lengths hold") {
  const std::vector<Example> examples{{{1, 2}, {3}}, {{4}, {5, 6, 7}}, {{8, 9, 10}, {11, 12}}};
  const std::vector<int64_t> indices{2, 0};
  CHECK(num_target_tokens(examples, indices) == make_batch(examples, indices).num_target_tokens());
  CHECK(num_target_tokens(examples, {0, 1, 2}) == 2 + 4 + 3);
}
