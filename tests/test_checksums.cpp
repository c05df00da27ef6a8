#include "ember/core/checksums.h"

#include <doctest/doctest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "ember/core/error.h"

using namespace ember;

namespace {

core::SafeTensors sample() {
  core::SafeTensors st;
  std::vector<float> values(12);
  for (size_t i = 0; i < values.size(); ++i) values[i] = 0.25f * static_cast<float>(i) - 1.0f;
  st.floats.emplace("w", core::NDArray::from_vector(values, {4, 3}));
  st.floats.emplace("b", core::NDArray::zeros({3}));
  st.indices.emplace("step", core::IndexArray({7}, core::Shape{}));
  st.masks.emplace("mask", core::NDArray::ones({2}));
  st.metadata["format"] = "pt";
  return st;
}

}  // namespace

TEST_CASE("checksums cover every tensor and the other metadata, and verify") {
  core::SafeTensors st = sample();
  core::add_checksums(st);
  const auto sums = nlohmann::json::parse(st.metadata.at(core::kChecksumsKey));
  CHECK(sums.size() == 5);  // four tensors and the metadata
  for (const char* key : {"w", "b", "step", "mask", "__metadata__"}) CHECK(sums.contains(key));
  CHECK_NOTHROW(core::verify_checksums(st, "[test] f", true));
  // The checksums entry itself is not hashed: adding it again gives the same value.
  CHECK(core::safetensors_checksums(st) == st.metadata.at(core::kChecksumsKey));
}

TEST_CASE("one flipped bit anywhere names the key it is in") {
  core::SafeTensors st = sample();
  core::add_checksums(st);
  for (int bit = 0; bit < 32; ++bit) {
    core::SafeTensors damaged = st;
    core::NDArray w = damaged.floats.at("w").clone();
    uint32_t word;
    std::memcpy(&word, w.data() + 5, 4);
    word ^= 1u << bit;
    std::memcpy(w.data() + 5, &word, 4);
    damaged.floats["w"] = w;
    CHECK_THROWS_WITH_AS(core::verify_checksums(damaged, "[test] f", false),
                         doctest::Contains("[test] f: key 'w' fails its checksum"), ember::Error);
  }
  core::SafeTensors meta = st;
  meta.metadata["format"] = "pu";
  CHECK_THROWS_WITH_AS(core::verify_checksums(meta, "[test] f", false),
                       doctest::Contains("the metadata fails its checksum"), ember::Error);
  core::SafeTensors shape = st;
  shape.floats["w"] = st.floats.at("w").reshape({3, 4});
  CHECK_THROWS_WITH_AS(core::verify_checksums(shape, "[test] f", false),
                       doctest::Contains("key 'w' fails"), ember::Error);
  core::SafeTensors step = st;
  step.indices.at("step") = core::IndexArray({8}, core::Shape{});
  CHECK_THROWS_WITH_AS(core::verify_checksums(step, "[test] f", false),
                       doctest::Contains("key 'step' fails"), ember::Error);
}

TEST_CASE("a tensor added or removed, or a broken list, is refused; no list passes unless required") {
  core::SafeTensors st = sample();
  core::add_checksums(st);
  core::SafeTensors extra = st;
  extra.floats.emplace("z", core::NDArray::zeros({1}));
  CHECK_THROWS_WITH_AS(core::verify_checksums(extra, "[test] f", false),
                       doctest::Contains("key 'z' has no checksum"), ember::Error);
  core::SafeTensors fewer = st;
  fewer.floats.erase("b");
  CHECK_THROWS_WITH_AS(core::verify_checksums(fewer, "[test] f", false),
                       doctest::Contains("lists keys the file does not hold"), ember::Error);
  core::SafeTensors broken = st;
  broken.metadata[core::kChecksumsKey] = "[[[";
  CHECK_THROWS_WITH_AS(core::verify_checksums(broken, "[test] f", false),
                       doctest::Contains("[test] f: metadata 'checksums': not valid JSON"),
                       ember::Error);
  broken.metadata[core::kChecksumsKey] = "[1]";
  CHECK_THROWS_WITH_AS(core::verify_checksums(broken, "[test] f", false),
                       doctest::Contains("is not a JSON object"), ember::Error);

  const core::SafeTensors plain = sample();  // PyTorch's files carry none
  CHECK_NOTHROW(core::verify_checksums(plain, "[test] f", false));
  CHECK_THROWS_WITH_AS(core::verify_checksums(plain, "[test] f", true),
                       doctest::Contains("metadata 'checksums' is missing"), ember::Error);
}
