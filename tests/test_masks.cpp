// The one mask builder of the seq2seq models (seq2seq/models/masks.h).
#include <doctest/doctest.h>

#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/data/batching.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/masks.h"

using namespace ember;
using namespace ember::seq2seq;

TEST_CASE("source_padding_mask marks padding, and is undefined without any") {
  const Tensor m = source_padding_mask({3, 1}, 3);
  REQUIRE(m.defined());
  CHECK(m.shape() == Shape{2, 3});
  CHECK(m.to_vector() == std::vector<float>{0, 0, 0, 0, 1, 1});
  CHECK_FALSE(source_padding_mask({3, 3}, 3).defined());
}

TEST_CASE("source_padding_mask of a batch's lengths covers exactly its <pad> positions") {
  const std::vector<Example> examples = {
      {{10, 11, 12, 13}, {20}}, {{14}, {21, 22}}, {{15, 16}, {23}}};
  for (bool eos : {true, false}) {
    CAPTURE(eos);
    const Batch batch = make_batch(examples, {0, 1, 2}, eos);
    const Tensor mask = source_padding_mask(batch.source_lengths, batch.source.size(1));
    REQUIRE(mask.shape() == batch.source.shape());
    const std::vector<float> m = mask.to_vector();
    for (int64_t i = 0; i < batch.source.numel(); ++i) {
      CAPTURE(i);
      CHECK((m[static_cast<size_t>(i)] == 1.0f) == (batch.source[i] == kPadId));
    }
  }
}

TEST_CASE("source_padding_mask refuses a length outside [0, S]") {
  CHECK_THROWS_WITH_AS(source_padding_mask({2, 4}, 3),
                       doctest::Contains("[source_padding_mask] length 4 outside [0, 3]"), Error);
  CHECK_THROWS_WITH_AS(source_padding_mask({-1}, 3), doctest::Contains("[source_padding_mask]"),
                       Error);
}
