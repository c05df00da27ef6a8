#include "ember/core/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/core/regular_file.h"
#include "ember/core/utf8.h"

namespace ember::core {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian and is copied as is");

using Json = nlohmann::json;

constexpr uint64_t kLengthBytes = 8;
// The reference reader's bound on the header (MAX_HEADER_SIZE in safetensors' lib.rs).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// Names longer than this are shortened in error messages (a header may hold a multi-MB name).
constexpr size_t kMaxQuotedName = 64;
constexpr const char* kMetadataKey = "__metadata__";
constexpr const char* kInMemory = "(in memory)";

enum class DType { kF32, kF64, kI64, kU8 };

struct DTypeInfo {
  DType dtype;
  const char* name;
  uint64_t itemsize;
};

constexpr DTypeInfo kF32{DType::kF32, "F32", 4};
constexpr DTypeInfo kF64{DType::kF64, "F64", 8};
constexpr DTypeInfo kI64{DType::kI64, "I64", 8};
constexpr DTypeInfo kU8{DType::kU8, "U8", 1};
constexpr DTypeInfo kDTypes[] = {kF32, kF64, kI64, kU8};

// ---------------------------------------------------------------------------------------------
// Reading.

// One tensor of a header, already checked against the data section.
struct Entry {
  std::string name;
  DTypeInfo type;
  Shape shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

// `text`, or for a long text its first bytes (cut at a UTF-8 character boundary), "..." and its
// length: an error message never repeats a multi-megabyte tensor name.
std::string shorten(const std::string& text) {
  if (text.size() <= kMaxQuotedName) return text;
  size_t cut = kMaxQuotedName / 2;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

// A non-negative JSON integer; nullopt for anything else.
std::optional<uint64_t> json_uint(const Json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0) return j.get<int64_t>();  // "-0"
  return std::nullopt;
}

DTypeInfo parse_dtype(const Json& j, const std::string& name, const std::string& source) {
  EMBER_CHECK(j.is_string(), "[safetensors] {}: tensor '{}': \"dtype\" must be a string", source,
              name);
  const std::string dtype = j.get<std::string>();
  for (const DTypeInfo& info : kDTypes)
    if (dtype == info.name) return info;
  throw Error(
      fmt::format("[safetensors] {}: tensor '{}': unknown dtype \"{}\" (ember reads F32, "
                  "F64, I64 and U8)",
                  source, name, shorten(dtype)));
}

Shape parse_shape(const Json& j, const std::string& name, const std::string& source) {
  EMBER_CHECK(j.is_array(), "[safetensors] {}: tensor '{}': \"shape\" must be a list of integers",
              source, name);
  Shape shape;
  for (const Json& d : j) {
    EMBER_CHECK(d.is_number_integer(),
                "[safetensors] {}: tensor '{}': \"shape\" must be a list of integers", source,
                name);
    const std::optional<uint64_t> size = json_uint(d);
    EMBER_CHECK(size.has_value(),
                "[safetensors] {}: tensor '{}': negative dimension {} in \"shape\"", source, name,
                d.get<int64_t>());
    EMBER_CHECK(*size <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                "[safetensors] {}: tensor '{}': dimension {} is too large", source, name, *size);
    shape.push_back(static_cast<int64_t>(*size));
  }
  return shape;
}

std::pair<uint64_t, uint64_t> parse_offsets(const Json& j, const std::string& name,
                                            const std::string& source) {
  std::optional<uint64_t> begin, end;
  if (j.is_array() && j.size() == 2) {
    begin = json_uint(j[0]);
    end = json_uint(j[1]);
  }
  EMBER_CHECK(begin.has_value() && end.has_value(),
              "[safetensors] {}: tensor '{}': \"data_offsets\" must be two non-negative integers",
              source, name);
  return {*begin, *end};
}

// numel * itemsize; refuses shapes whose sizes (zeros aside) multiply past INT64_MAX, which no
// array could index.
uint64_t byte_count(const Shape& shape, uint64_t itemsize, const std::string& name,
                    const std::string& source) {
  uint64_t product = itemsize;
  bool empty = false;
  for (int64_t size : shape) {
    empty = empty || size == 0;
    const bool overflow = __builtin_mul_overflow(
        product, static_cast<uint64_t>(std::max<int64_t>(size, 1)), &product);
    EMBER_CHECK(!overflow && product <= std::numeric_limits<int64_t>::max(),
                "[safetensors] {}: tensor '{}': shape {} is too large", source, name,
                shape_str(shape));
  }
  return empty ? 0 : product;
}

// One header entry, checked on its own: types, begin <= end, end inside the data section, and
// end - begin = numel * itemsize. Where it sits among the others is check_layout's business.
Entry parse_entry(const std::string& name, const Json& j, uint64_t data_size,
                  const std::string& source) {
  const std::string label = shorten(name);
  EMBER_CHECK(j.is_object(), "[safetensors] {}: tensor '{}': entry must be a JSON object", source,
              label);
  for (const char* key : {"dtype", "shape", "data_offsets"})
    EMBER_CHECK(j.contains(key), "[safetensors] {}: tensor '{}': missing \"{}\"", source, label,
                key);
  Entry e{name, parse_dtype(j.at("dtype"), label, source),
          parse_shape(j.at("shape"), label, source)};
  std::tie(e.begin, e.end) = parse_offsets(j.at("data_offsets"), label, source);
  EMBER_CHECK(e.begin <= e.end,
              "[safetensors] {}: tensor '{}': data_offsets [{}, {}] run backwards (begin > end)",
              source, label, e.begin, e.end);
  EMBER_CHECK(e.end <= data_size,
              "[safetensors] {}: tensor '{}': data_offsets end {} is beyond the data section "
              "({} bytes)",
              source, label, e.end, data_size);
  const uint64_t expected = byte_count(e.shape, e.type.itemsize, label, source);
  EMBER_CHECK(e.end - e.begin == expected,
              "[safetensors] {}: tensor '{}': data_offsets [{}, {}] hold {} bytes but {} shape {} "
              "needs {}",
              source, label, e.begin, e.end, e.end - e.begin, e.type.name, shape_str(e.shape),
              expected);
  return e;
}

std::map<std::string, std::string> parse_metadata(const Json& j, const std::string& source) {
  EMBER_CHECK(j.is_object(), "[safetensors] {}: \"__metadata__\" must be a JSON object", source);
  std::map<std::string, std::string> metadata;
  for (const auto& [key, value] : j.items()) {
    EMBER_CHECK(value.is_string(),
                "[safetensors] {}: \"__metadata__\" value of '{}' is not a string", source,
                shorten(key));
    metadata.emplace(key, value.get<std::string>());
  }
  return metadata;
}

// The tensors, sorted by offsets, must tile the data section exactly, as the reference reader
// requires: the first begins at 0, each begins where the one before it ends (an empty tensor,
// begin == end, included), and the last ends where the file ends. Anything else is a gap, an
// overlap, or bytes after the last tensor. Sorts `entries`.
void check_layout(std::vector<Entry>& entries, uint64_t data_size, const std::string& source) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t covered = 0;  // the data section's bytes [0, covered) belong to the tensors so far
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    EMBER_CHECK(e.begin >= covered,
                "[safetensors] {}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap", source,
                shorten(previous->name), previous->begin, previous->end, shorten(e.name), e.begin,
                e.end);
    EMBER_CHECK(e.begin == covered,
                "[safetensors] {}: data_offsets leave a gap: bytes [{}, {}) of the data section "
                "belong to no tensor (the next is '{}' [{}, {}])",
                source, covered, e.begin, shorten(e.name), e.begin, e.end);
    covered = e.end;
    previous = &e;
  }
  EMBER_CHECK(covered == data_size,
              "[safetensors] {}: {} bytes after the last tensor (the tensors end at byte {} of "
              "the {}-byte data section)",
              source, data_size - covered, covered, data_size);
}

NDArray read_floats(const Entry& e, const char* src) {
  NDArray out = NDArray::empty(e.shape);
  const int64_t n = out.numel();
  if (e.type.dtype == DType::kF32) {
    if (n > 0) std::memcpy(out.data(), src, static_cast<size_t>(n) * sizeof(float));
    return out;
  }
  for (int64_t i = 0; i < n; ++i) {
    double value;
    std::memcpy(&value, src + i * sizeof(double), sizeof(double));
    out.data()[i] = static_cast<float>(value);
  }
  return out;
}

NDArray read_mask(const Entry& e, const char* src, const std::string& source) {
  NDArray out = NDArray::empty(e.shape);
  for (int64_t i = 0; i < out.numel(); ++i) {
    const auto byte = static_cast<unsigned char>(src[i]);
    EMBER_CHECK(byte <= 1, "[safetensors] {}: tensor '{}': U8 mask holds {}, not 0 or 1", source,
                shorten(e.name), byte);
    out.data()[i] = static_cast<float>(byte);
  }
  return out;
}

void read_tensor(const Entry& e, const char* data, const std::string& source, SafeTensors* st) {
  const char* src = data + e.begin;
  switch (e.type.dtype) {
    case DType::kF32:
    case DType::kF64:
      st->floats.emplace(e.name, read_floats(e, src));
      return;
    case DType::kI64: {
      std::vector<int64_t> values(static_cast<size_t>(numel_of(e.shape)));
      if (!values.empty()) std::memcpy(values.data(), src, values.size() * sizeof(int64_t));
      st->indices.emplace(e.name, IndexArray(std::move(values), e.shape));
      return;
    }
    case DType::kU8:
      st->masks.emplace(e.name, read_mask(e, src, source));
      return;
  }
}

// The JSON header and the offset of the data section in `bytes`.
std::pair<Json, uint64_t> parse_header(const std::string& bytes, const std::string& source) {
  EMBER_CHECK(bytes.size() >= kLengthBytes,
              "[safetensors] {}: file is {} bytes, too short for the 8-byte header length", source,
              bytes.size());
  uint64_t length;
  std::memcpy(&length, bytes.data(), kLengthBytes);
  const uint64_t rest = bytes.size() - kLengthBytes;
  EMBER_CHECK(length <= kMaxHeaderBytes,
              "[safetensors] {}: header length {} is over the format's limit of {} bytes{}", source,
              length, kMaxHeaderBytes,
              length > rest ? fmt::format(" (and {} bytes follow the length)", rest) : "");
  EMBER_CHECK(length <= rest,
              "[safetensors] {}: header length {} is larger than the file (truncated? {} bytes "
              "follow the length)",
              source, length, rest);
  const std::string_view text(bytes.data() + kLengthBytes, length);
  // Checked before the JSON parser, whose messages would not say why.
  const size_t nul = text.find('\0');
  EMBER_CHECK(nul == std::string_view::npos,
              "[safetensors] {}: header is not valid JSON (it holds a NUL byte at offset {})",
              source, kLengthBytes + nul);
  const size_t bad = find_invalid_utf8(text);
  EMBER_CHECK(bad == std::string_view::npos,
              "[safetensors] {}: header is not UTF-8 (byte 0x{:02x} at offset {} begins no valid "
              "sequence)",
              source, static_cast<unsigned char>(text[bad]), kLengthBytes + bad);
  // Bounded nesting (a 100,000-deep array is refused, not recursed into), duplicate keys refused:
  // a tensor name or a "__metadata__" key given twice.
  Json header = parse_json(text, fmt::format("[safetensors] {}: header", source));
  EMBER_CHECK(header.is_object(), "[safetensors] {}: header is not a JSON object", source);
  return {std::move(header), kLengthBytes + length};
}

// ---------------------------------------------------------------------------------------------
// Writing.

enum class Kind { kFloat, kIndex, kMask };

// One tensor to write: a contiguous NDArray (floats, masks) or an IndexArray.
struct Slot {
  Kind kind;
  NDArray array;
  const IndexArray* index = nullptr;

  const DTypeInfo& type() const {
    return kind == Kind::kFloat ? kF32 : kind == Kind::kIndex ? kI64 : kU8;
  }
  const Shape& shape() const { return index != nullptr ? index->shape() : array.shape(); }
};

// Every tensor of `st` by name; names must be unique across the maps.
std::map<std::string, Slot> collect_slots(const SafeTensors& st, const std::string& target) {
  std::map<std::string, Slot> slots;
  auto add = [&](const std::string& name, Slot slot) {
    EMBER_CHECK(name != kMetadataKey, "[safetensors] {}: a tensor cannot be named \"{}\"", target,
                kMetadataKey);
    EMBER_CHECK(slots.emplace(name, std::move(slot)).second,
                "[safetensors] {}: tensor name '{}' is used twice", target, name);
  };
  auto checked = [&](const std::string& name, const NDArray& a) {
    EMBER_CHECK(a.defined(), "[safetensors] {}: tensor '{}' is undefined", target, name);
    return a.contiguous();
  };
  for (const auto& [name, a] : st.floats) add(name, {Kind::kFloat, checked(name, a)});
  for (const auto& [name, a] : st.masks) add(name, {Kind::kMask, checked(name, a)});
  for (const auto& [name, a] : st.indices) add(name, {Kind::kIndex, NDArray(), &a});
  return slots;
}

// The padded header text; `*data_size` receives the length of the data section.
std::string make_header(const std::map<std::string, Slot>& slots,
                        const std::map<std::string, std::string>& metadata,
                        const std::string& target, uint64_t* data_size) {
  Json header = Json::object();
  uint64_t offset = 0;
  for (const auto& [name, slot] : slots) {
    const uint64_t bytes = static_cast<uint64_t>(numel_of(slot.shape())) * slot.type().itemsize;
    header[name] = {{"dtype", slot.type().name},
                    {"shape", slot.shape()},
                    {"data_offsets", Json::array({offset, offset + bytes})}};
    offset += bytes;
  }
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  *data_size = offset;
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& e) {
    throw Error(fmt::format("[safetensors] {}: tensor names and metadata must be UTF-8 ({})",
                            target, e.what()));
  }
  text.append((kLengthBytes - text.size() % kLengthBytes) % kLengthBytes, ' ');
  return text;
}

void append_data(const std::string& name, const Slot& slot, const std::string& target,
                 std::string* out) {
  const int64_t n = numel_of(slot.shape());
  if (n == 0) return;
  const auto bytes = static_cast<size_t>(n) * slot.type().itemsize;
  switch (slot.kind) {
    case Kind::kFloat:
      out->append(reinterpret_cast<const char*>(slot.array.data()), bytes);
      return;
    case Kind::kIndex:
      out->append(reinterpret_cast<const char*>(slot.index->data()), bytes);
      return;
    case Kind::kMask:
      for (int64_t i = 0; i < n; ++i) {
        const float v = slot.array.data()[i];
        EMBER_CHECK(v == 0.0f || v == 1.0f,
                    "[safetensors] {}: mask '{}' holds {}; masks must be 0 or 1", target, name, v);
        out->push_back(static_cast<char>(v == 1.0f));
      }
      return;
  }
}

// serialize_safetensors, naming `target` in errors.
std::string serialize_to(const SafeTensors& st, const std::string& target) {
  const std::map<std::string, Slot> slots = collect_slots(st, target);
  uint64_t data_size = 0;
  const std::string header = make_header(slots, st.metadata, target, &data_size);
  std::string out(kLengthBytes, '\0');
  const uint64_t length = header.size();
  std::memcpy(out.data(), &length, kLengthBytes);
  out.reserve(kLengthBytes + header.size() + data_size);
  out += header;
  for (const auto& [name, slot] : slots) append_data(name, slot, target, &out);
  return out;
}

}  // namespace

SafeTensors parse_safetensors(const std::string& bytes, const std::string& source) {
  const auto [header, data_begin] = parse_header(bytes, source);
  const uint64_t data_size = bytes.size() - data_begin;
  SafeTensors st;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey)
      st.metadata = parse_metadata(value, source);
    else
      entries.push_back(parse_entry(name, value, data_size, source));
  }
  check_layout(entries, data_size, source);
  for (const Entry& e : entries) read_tensor(e, bytes.data() + data_begin, source, &st);
  return st;
}

SafeTensors load_safetensors(const std::string& path) {
  return parse_safetensors(read_regular_file(path, "[safetensors]"), path);
}

std::string serialize_safetensors(const SafeTensors& st) { return serialize_to(st, kInMemory); }

void save_safetensors(const std::string& path, const SafeTensors& st) {
  write_file_atomic(path, serialize_to(st, path), "[safetensors]");
}

}  // namespace ember::core
