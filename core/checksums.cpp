#include "ember/core/checksums.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "ember/core/error.h"
#include "ember/core/json.h"

namespace ember::core {
namespace {

constexpr const char* kMetadataEntry = "__metadata__";  // the checksum of the other metadata
constexpr uint64_t kHashSeed = 0xcbf29ce484222325ULL;   // FNV-1a's offset basis

uint64_t hash_bytes(uint64_t h, const void* data, size_t n) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;  // FNV's 64-bit prime
  const auto* p = static_cast<const unsigned char*>(data);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    h = (h ^ word) * kPrime;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * kPrime;
  return (h ^ n) * kPrime;
}

uint64_t hash_text(uint64_t h, const std::string& s) { return hash_bytes(h, s.data(), s.size()); }

uint64_t hash_array(const Shape& shape, const void* data, size_t itemsize) {
  const uint64_t h = hash_bytes(kHashSeed, shape.data(), shape.size() * sizeof(int64_t));
  return hash_bytes(h, data, static_cast<size_t>(numel_of(shape)) * itemsize);
}

std::map<std::string, std::string> compute(const SafeTensors& st) {
  std::map<std::string, std::string> out;
  auto add = [&](const std::string& name, uint64_t h) { out[name] = fmt::format("{:016x}", h); };
  for (const auto* map : {&st.floats, &st.masks}) {
    for (const auto& [name, a] : *map) {
      const NDArray c = a.contiguous();
      add(name, hash_array(c.shape(), c.data(), sizeof(float)));
    }
  }
  for (const auto& [name, a] : st.indices)
    add(name, hash_array(a.shape(), a.data(), sizeof(int64_t)));
  uint64_t h = kHashSeed;
  for (const auto& [key, value] : st.metadata)
    if (key != kChecksumsKey) h = hash_text(hash_text(h, key), value);
  add(kMetadataEntry, h);
  return out;
}

}  // namespace

std::string safetensors_checksums(const SafeTensors& st) {
  return nlohmann::json(compute(st)).dump();
}

void add_checksums(SafeTensors& st) { st.metadata[kChecksumsKey] = safetensors_checksums(st); }

void verify_checksums(const SafeTensors& st, const std::string& context, bool required) {
  const auto found = st.metadata.find(kChecksumsKey);
  if (found == st.metadata.end()) {
    EMBER_CHECK(!required, "{}: metadata '{}' is missing: the file carries no integrity data",
                context, kChecksumsKey);
    return;
  }
  const nlohmann::json stored =
      parse_json(found->second, fmt::format("{}: metadata '{}'", context, kChecksumsKey));
  EMBER_CHECK(stored.is_object(), "{}: metadata '{}' is not a JSON object", context,
              kChecksumsKey);
  const std::map<std::string, std::string> computed = compute(st);
  for (const auto& [key, sum] : computed) {
    const std::string what = key == kMetadataEntry ? "the metadata" : fmt::format("key '{}'", key);
    EMBER_CHECK(stored.contains(key), "{}: {} has no checksum in metadata '{}'", context, what,
                kChecksumsKey);
    EMBER_CHECK(stored.at(key) == nlohmann::json(sum),
                "{}: {} fails its checksum (stored {}, contents {}): the file is corrupt", context,
                what, stored.at(key).dump(), sum);
  }
  EMBER_CHECK(stored.size() == computed.size(), "{}: metadata '{}' lists keys the file does not hold",
              context, kChecksumsKey);
}

}  // namespace ember::core
