#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/safetensors.h"
#include "support/files.h"

namespace fs = std::filesystem;
using ember::core::IndexArray;
using ember::core::load_safetensors;
using ember::core::NDArray;
using ember::core::parse_safetensors;
using ember::core::SafeTensors;
using ember::core::save_safetensors;
using ember::core::serialize_safetensors;
using ember::core::Shape;

using ember::testing::read_file;
using ember::testing::TempDir;
using ember::testing::write_file;

namespace {

// A file's bytes written by hand: the 8-byte little-endian header length, the header, the data.
std::string file_bytes(const std::string& header, const std::string& data = "") {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return out + header + data;
}

// `n` bytes of zeros, the data of n/4 floats 0.0.
std::string zeros(size_t n) { return std::string(n, '\0'); }

// Matches an error message containing `text`.
doctest::Contains says(const std::string& text) { return doctest::Contains(text.c_str()); }

SafeTensors parse(const std::string& bytes) { return parse_safetensors(bytes, "bad.st"); }

// The golden cases folder: $EMBER_GOLDEN_DIR, ../shared/golden/cases, or beside the repository.
std::optional<fs::path> golden_dir() {
  if (const char* env = std::getenv("EMBER_GOLDEN_DIR")) return fs::path(env);
  for (const fs::path& p : {fs::path("../shared/golden/cases"),
                            fs::path(__FILE__).parent_path() / "../../shared/golden/cases"})
    if (fs::is_directory(p)) return p;
  return std::nullopt;
}

SafeTensors round_trip(const SafeTensors& st) {
  return parse_safetensors(serialize_safetensors(st), "round trip");
}

}  // namespace

TEST_CASE("round trip: float tensors keep shape and values") {
  SafeTensors st;
  st.floats["w"] = NDArray::from_vector({1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f}, {2, 3});
  st.floats["b"] = NDArray::from_vector({0.5f, -0.5f}, {2});
  st.floats["empty"] = NDArray::empty({0, 3});
  const SafeTensors back = round_trip(st);
  REQUIRE(back.floats.size() == 3);
  CHECK(back.floats.at("w").shape() == Shape{2, 3});
  CHECK(back.floats.at("w").to_vector() == st.floats["w"].to_vector());
  CHECK(back.floats.at("b").to_vector() == std::vector<float>{0.5f, -0.5f});
  CHECK(back.floats.at("empty").shape() == Shape{0, 3});
  CHECK(back.indices.empty());
  CHECK(back.masks.empty());
  CHECK(back.metadata.empty());
}

TEST_CASE("round trip: I64 indices, U8 masks, scalars and metadata") {
  SafeTensors st;
  st.indices["ids"] = IndexArray({0, -1, 4611686018427387904LL, 7}, {2, 2});
  st.masks["pad"] = NDArray::from_vector({0.0f, 1.0f, 1.0f}, {1, 3});
  st.floats["loss"] = NDArray::scalar(2.5f);
  st.indices["step"] = IndexArray({12}, {});
  st.metadata = {{"op", "Linear"}, {"config", "{\"bias\": true}"}, {"empty", ""}};
  const SafeTensors back = round_trip(st);
  CHECK(back.indices.at("ids").shape() == Shape{2, 2});
  CHECK(back.indices.at("ids").values() == st.indices["ids"].values());
  CHECK(back.masks.at("pad").shape() == Shape{1, 3});
  CHECK(back.masks.at("pad").to_vector() == std::vector<float>{0.0f, 1.0f, 1.0f});
  CHECK(back.floats.at("loss").shape() == Shape{});
  CHECK(back.floats.at("loss").item() == 2.5f);
  CHECK(back.indices.at("step").shape() == Shape{});
  CHECK(back.indices.at("step")[0] == 12);
  CHECK(back.metadata == st.metadata);
}

TEST_CASE("round trip: a non-contiguous array is written in row-major order") {
  SafeTensors st;
  const NDArray base = NDArray::arange(6).view({2, 3});
  st.floats["t"] = base.transpose(0, 1);  // (3, 2): 0 3 / 1 4 / 2 5
  REQUIRE_FALSE(st.floats["t"].is_contiguous());
  st.masks["m"] = NDArray::from_vector({1.0f, 0.0f, 0.0f, 1.0f}, {2, 2}).transpose(0, 1);
  const SafeTensors back = round_trip(st);
  CHECK(back.floats.at("t").shape() == Shape{3, 2});
  CHECK(back.floats.at("t").to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
  CHECK(back.masks.at("m").to_vector() == std::vector<float>{1, 0, 0, 1});
}

TEST_CASE("serialize: padded header, tensors sorted by name with contiguous offsets") {
  SafeTensors st;
  st.floats["b"] = NDArray::from_vector({1.0f}, {1});
  st.indices["a"] = IndexArray({5, 6}, {2});
  st.masks["c"] = NDArray::from_vector({1.0f, 0.0f, 1.0f}, {3});
  const std::string bytes = serialize_safetensors(st);
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(bytes[i]);
  CHECK((8 + length) % 8 == 0);
  CHECK(bytes.size() == 8 + length + 16 + 4 + 3);
  const std::string header = bytes.substr(8, length);
  CHECK(header.find("\"a\":{\"data_offsets\":[0,16],\"dtype\":\"I64\",\"shape\":[2]}") !=
        std::string::npos);
  CHECK(header.find("\"b\":{\"data_offsets\":[16,20],\"dtype\":\"F32\"") != std::string::npos);
  CHECK(header.find("\"c\":{\"data_offsets\":[20,23],\"dtype\":\"U8\"") != std::string::npos);
  CHECK(header.find("__metadata__") == std::string::npos);
  CHECK(serialize_safetensors(round_trip(st)) == bytes);
}

TEST_CASE("parse: data_offsets decide where a tensor is, not the header order; F64 is read") {
  const std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},)"
                             R"("b":{"dtype":"F64","shape":[],"data_offsets":[0,8]}})";
  std::string data(12, '\0');
  const double b = -0.125;
  const float a = 4.0f;
  std::memcpy(data.data(), &b, 8);
  std::memcpy(data.data() + 8, &a, 4);
  const SafeTensors st = parse(file_bytes(header + "    ", data));
  CHECK(st.floats.at("a").to_vector() == std::vector<float>{4.0f});
  CHECK(st.floats.at("b").shape() == Shape{});
  CHECK(st.floats.at("b").item() == -0.125f);
}

TEST_CASE("save and load a file; the save is atomic") {
  TempDir dir("safetensors");
  const std::string path = dir.file("model.safetensors");
  SafeTensors st;
  st.floats["w"] = NDArray::from_vector({1.0f, 2.0f}, {2});
  st.metadata["epoch"] = "3";
  save_safetensors(path, st);
  const SafeTensors back = load_safetensors(path);
  CHECK(back.floats.at("w").to_vector() == std::vector<float>{1.0f, 2.0f});
  CHECK(back.metadata.at("epoch") == "3");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);

  SUBCASE("a directory that does not exist") {
    const std::string missing = (dir.path / "no_such_dir" / "m.safetensors").string();
    CHECK_THROWS_WITH_AS(save_safetensors(missing, st),
                         says("[safetensors] " + missing + ": cannot save"), ember::Error);
  }
  SUBCASE("a failed save leaves the existing file intact") {
    const std::string before = read_file(path);
    SafeTensors bad = st;
    bad.masks["m"] = NDArray::from_vector({0.5f}, {1});
    CHECK_THROWS_WITH_AS(save_safetensors(path, bad),
                         says("[safetensors] " + path + ": mask 'm' holds 0.5"), ember::Error);
    CHECK(read_file(path) == before);
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  }
  SUBCASE("a failed rename removes the temporary file") {
    const fs::path target = dir.path / "occupied";
    fs::create_directories(target / "child");
    CHECK_THROWS_WITH_AS(save_safetensors(target.string(), st),
                         says("[safetensors] " + target.string() + ": cannot save"), ember::Error);
    CHECK(fs::is_directory(target / "child"));
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);
  }
}

TEST_CASE("load a golden fixture: linear_bias") {
  const std::optional<fs::path> golden = golden_dir();
  const fs::path file = golden ? *golden / "linear_bias.safetensors" : fs::path();
  if (!golden || !fs::exists(file)) {
    MESSAGE("golden fixtures not found (set EMBER_GOLDEN_DIR); skipping");
    return;
  }
  const SafeTensors st = load_safetensors(file.string());
  CHECK(st.metadata.at("op") == "Linear");
  CHECK(st.metadata.at("case") == "linear_bias");
  const NDArray& x = st.floats.at("input.x");
  const NDArray& w = st.floats.at("param.weight");
  const NDArray& b = st.floats.at("param.bias");
  const NDArray& y = st.floats.at("output.y");
  REQUIRE(x.shape() == Shape{2, 3, 8});
  REQUIRE(w.shape() == Shape{5, 8});
  REQUIRE(b.shape() == Shape{5});
  REQUIRE(y.shape() == Shape{2, 3, 5});
  for (int64_t n = 0; n < 2; ++n)  // y = x @ weight.T + bias, from the fixture's own tensors
    for (int64_t t = 0; t < 3; ++t)
      for (int64_t o = 0; o < 5; ++o) {
        double sum = b.at({o});
        for (int64_t i = 0; i < 8; ++i) sum += double(x.at({n, t, i})) * w.at({o, i});
        CHECK(y.at({n, t, o}) == doctest::Approx(sum).epsilon(1e-4));
      }
  const SafeTensors back = round_trip(st);
  REQUIRE(back.floats.size() == st.floats.size());
  for (const auto& [name, a] : st.floats) CHECK(back.floats.at(name).to_vector() == a.to_vector());
}

// ---------------------------------------------------------------------------------------------
// Refusals: every malformed file throws "[safetensors] <path>: <problem>".

TEST_CASE("refuse: a path that does not exist or is not a regular file, before reading it") {
  TempDir dir("safetensors");
  const std::string missing = dir.file("missing.safetensors");
  CHECK_THROWS_WITH_AS(load_safetensors(missing),
                       says("[safetensors] cannot read '" + missing + "': it does not exist"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      load_safetensors(dir.path.string()),
      says("[safetensors] cannot read '" + dir.path.string() + "': it is a directory"),
      ember::Error);
  // /dev/zero and a FIFO, which would hang without the check: test_malicious_files.cpp runs them
  // in a child process with a watchdog.
}

TEST_CASE("refuse: file shorter than 8 bytes or truncated") {
  CHECK_THROWS_WITH_AS(parse(""), says("[safetensors] bad.st: file is 0 bytes"), ember::Error);
  CHECK_THROWS_WITH_AS(parse(std::string("\x08\0\0\0\0", 5)),
                       says("[safetensors] bad.st: file is 5 bytes, too short"), ember::Error);
  TempDir dir("safetensors");
  const std::string path = dir.file("cut.safetensors");
  SafeTensors st;
  st.floats["w"] = NDArray::from_vector({1.0f, 2.0f}, {2});
  const std::string bytes = serialize_safetensors(st);
  write_file(path, bytes.substr(0, bytes.size() - 1));
  CHECK_THROWS_WITH_AS(load_safetensors(path),
                       says("[safetensors] " + path + ": tensor 'w': data_offsets end 8 is beyond"),
                       ember::Error);
  write_file(path, bytes.substr(0, 20));
  CHECK_THROWS_WITH_AS(load_safetensors(path), says("[safetensors] " + path + ": header length"),
                       ember::Error);
}

TEST_CASE("refuse: header length over the format's 100 MB or larger than the file") {
  std::string huge(8, '\xff');
  CHECK_THROWS_WITH_AS(
      parse(huge + "{}"),
      says("[safetensors] bad.st: header length 18446744073709551615 is over "
           "the format's limit of 100000000 bytes (and 2 bytes follow the length)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes("{}").substr(0, 9)),
                       says("header length 2 is larger than the file"), ember::Error);
  // 100,000,001 bytes of header, all present: refused by the limit alone, never parsed.
  std::string over = file_bytes("{}");
  over.resize(8 + 100'000'001, ' ');
  over[0] = '\x01', over[1] = '\xe1', over[2] = '\xf5', over[3] = '\x05';  // 100000001
  CHECK_THROWS_WITH_AS(parse(over),
                       says("header length 100000001 is over the format's limit of 100000000 "
                            "bytes"),
                       ember::Error);
  over[0] = '\x00';  // exactly 100,000,000: allowed, and the 1 byte left is after the tensors
  CHECK_THROWS_WITH_AS(parse(over), says("[safetensors] bad.st: 1 bytes after the last tensor"),
                       ember::Error);
}

TEST_CASE("refuse: header that is not UTF-8 JSON, or not an object") {
  CHECK_THROWS_WITH_AS(parse(file_bytes("{\"a\": ")),
                       says("[safetensors] bad.st: header: not valid JSON: parse error at line 1, "
                            "column 7"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes(std::string("{}\0\0", 4))),
                       says("header is not valid JSON (it holds a NUL byte at offset 10)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes("[1, 2]  ")),
                       says("[safetensors] bad.st: header is not a JSON object"), ember::Error);
  // Latin-1, an overlong '/', a surrogate, a sequence cut short: the offset of the first bad byte.
  CHECK_THROWS_WITH_AS(parse(file_bytes("{\"caf\xe9\": 1}")),
                       says("[safetensors] bad.st: header is not UTF-8 (byte 0xe9 at offset 13"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes("{\"\xc0\xaf\": 1}")), says("byte 0xc0 at offset 10"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes("{\"\xed\xa0\x80\": 1}")), says("byte 0xed at offset 10"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes("{}  \xe2\x82")), says("byte 0xe2 at offset 12"),
                       ember::Error);
  // UTF-8 itself is fine: a name in Greek, and a 4-byte character.
  const std::string greek =
      "{\"\xce\xb2\xf0\x9f\x98\x80\": "
      "{\"dtype\": \"U8\", \"shape\": [], \"data_offsets\": [0, 1]}}";
  CHECK(parse(file_bytes(greek, std::string(1, '\1'))).masks.size() == 1);
}

TEST_CASE("refuse: deep JSON, duplicate tensor names and duplicate metadata keys") {
  // 100,000 nested arrays: refused at depth 65, not recursed into (a stack overflow).
  CHECK_THROWS_WITH_AS(parse(file_bytes(std::string(100000, '[') + std::string(100000, ']'))),
                       says("[safetensors] bad.st: header: JSON nested deeper than 64 levels"),
                       ember::Error);
  const std::string twice = R"({"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},)"
                            R"( "w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}})";
  CHECK_THROWS_WITH_AS(parse(file_bytes(twice, std::string(2, '\0'))),
                       says("[safetensors] bad.st: header: JSON key \"w\" appears twice"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes(R"({"__metadata__": {"epoch": "1", "epoch": "2"}})")),
                       says("header: JSON key \"epoch\" appears twice"), ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes(R"({"__metadata__": {}, "__metadata__": {}})")),
                       says("header: JSON key \"__metadata__\" appears twice"), ember::Error);
}

TEST_CASE("refuse: entry missing dtype, shape or data_offsets, or with wrong types") {
  CHECK_THROWS_WITH_AS(parse(file_bytes(R"({"x": [1]})")),
                       says("[safetensors] bad.st: tensor 'x': entry must be a JSON"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"shape": [], "data_offsets": [0, 4]}})", zeros(4))),
      says("tensor 'x': missing \"dtype\""), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "F32", "data_offsets": [0, 4]}})", zeros(4))),
      says("tensor 'x': missing \"shape\""), ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes(R"({"x": {"dtype": "F32", "shape": []}})", zeros(4))),
                       says("tensor 'x': missing \"data_offsets\""), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": 1, "shape": [], "data_offsets": [0, 4]}})", zeros(4))),
      says("tensor 'x': \"dtype\" must be a string"), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "F32", "shape": 1, "data_offsets": [0, 4]}})", zeros(4))),
      says("tensor 'x': \"shape\" must be a list of integers"), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]}})",
                       zeros(4))),
      says("tensor 'x': \"shape\" must be a list of integers"), ember::Error);
  for (const char* offsets : {"[0]", "[0, 4, 8]", "\"0-4\"", "[0, 4.0]", "[-4, 0]", "[0, null]"}) {
    const std::string header =
        fmt::format(R"({{"x": {{"dtype": "F32", "shape": [1], "data_offsets": {}}}}})", offsets);
    CHECK_THROWS_WITH_AS(parse(file_bytes(header, zeros(4))),
                         says("tensor 'x': \"data_offsets\" must be two non-negative integers"),
                         ember::Error);
  }
}

TEST_CASE("refuse: unknown dtype") {
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}})",
                       zeros(4))),
      says("[safetensors] bad.st: tensor 'x': unknown dtype \"BF16\""), ember::Error);
}

TEST_CASE("refuse: negative dimensions and shapes too large to index") {
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "F32", "shape": [2, -2], "data_offsets": [0, 16]}})",
                       zeros(16))),
      says("[safetensors] bad.st: tensor 'x': negative dimension -2"), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "F32", "shape": [4294967296, 4294967296, 0], )"
                       R"("data_offsets": [0, 0]}})")),
      says("tensor 'x': shape (4294967296, 4294967296, 0) is too large"), ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes(R"({"x": {"dtype": "U8", "shape": [18446744073709551615], )"
                                        R"("data_offsets": [0, 0]}})")),
                       says("tensor 'x': dimension 18446744073709551615 is too large"),
                       ember::Error);
}

TEST_CASE("refuse: offsets with begin > end or end beyond the data section") {
  CHECK_THROWS_WITH_AS(
      parse(
          file_bytes(R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}})", zeros(8))),
      says("[safetensors] bad.st: tensor 'x': data_offsets [8, 4] run backwards (begin > end)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(
          file_bytes(R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", zeros(4))),
      says("tensor 'x': data_offsets end 8 is beyond the data section (4 bytes)"), ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "F32", "shape": [1], )"
                       R"("data_offsets": [18446744073709551611, 18446744073709551615]}})",
                       zeros(4))),
      says("tensor 'x': data_offsets end"), ember::Error);
}

TEST_CASE("refuse: overlapping tensors") {
  const std::string header = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                             R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})";
  CHECK_THROWS_WITH_AS(parse(file_bytes(header, zeros(12))),
                       says("[safetensors] bad.st: tensors 'a' [0, 8] and 'b' "
                            "[4, 12] overlap"),
                       ember::Error);
  const std::string same = R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                           R"( "b": {"dtype": "I64", "shape": [0], "data_offsets": [0, 0]},)"
                           R"( "c": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}})";
  CHECK_THROWS_WITH_AS(parse(file_bytes(same, zeros(4))),
                       says("tensors 'a' [0, 4] and 'c' [0, 4] overlap"), ember::Error);
}

TEST_CASE("refuse: offsets that leave a gap, and bytes after the last tensor") {
  const std::string gap = R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                          R"( "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})";
  CHECK_THROWS_WITH_AS(parse(file_bytes(gap, zeros(12))),
                       says("[safetensors] bad.st: data_offsets leave a gap: bytes [4, 8) of the "
                            "data section belong to no tensor (the next is 'b' [8, 12])"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(
          file_bytes(R"({"a": {"dtype": "U8", "shape": [2], "data_offsets": [2, 4]}})", zeros(4))),
      says("data_offsets leave a gap: bytes [0, 2) of the data section"), ember::Error);
  // An empty tensor sits where the previous one ends; anywhere else it leaves a gap.
  const std::string empty_after =
      R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},)"
      R"( "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}})";
  CHECK_THROWS_WITH_AS(parse(file_bytes(empty_after, zeros(1))),
                       says("tensor 'e': data_offsets end 4 is beyond the data section (1 bytes)"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes(empty_after, zeros(4))),
                       says("data_offsets leave a gap: bytes [1, 4)"), ember::Error);
  const std::string empty_at_end =
      R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},)"
      R"( "e": {"dtype": "F32", "shape": [0], "data_offsets": [1, 1]}})";
  CHECK(parse(file_bytes(empty_at_end, zeros(1))).floats.at("e").shape() == Shape{0});
  CHECK_THROWS_WITH_AS(
      parse(
          file_bytes(R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}})", zeros(3))),
      says("[safetensors] bad.st: 2 bytes after the last tensor (the tensors end at byte 1 of "
           "the 3-byte data section)"),
      ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes("{}", "x")), says("1 bytes after the last tensor"),
                       ember::Error);
  SafeTensors st;
  st.floats["w"] = NDArray::from_vector({1.0f}, {1});
  CHECK_THROWS_WITH_AS(parse(serialize_safetensors(st) + "junk"),
                       says("4 bytes after the last tensor"), ember::Error);
}

TEST_CASE("refuse: names and dtypes of megabytes are shortened in the message") {
  const std::string name(4'000'000, 'n');
  const std::string header = R"({")" + name + R"(": {"dtype": ")" + std::string(100, 'D') +
                             R"(", "shape": [], "data_offsets": [0, 4]}})";
  std::string message;
  try {
    parse(file_bytes(header, zeros(4)));
  } catch (const ember::Error& e) {
    message = e.what();
  }
  CHECK(message == "[safetensors] bad.st: tensor '" + std::string(32, 'n') +
                       "... (4000000 bytes)': unknown dtype \"" + std::string(32, 'D') +
                       "... (100 bytes)\" (ember reads F32, F64, I64 and U8)");
}

TEST_CASE("refuse: byte count that does not match the shape and dtype") {
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 12]}})",
                       zeros(24))),
      says("[safetensors] bad.st: tensor 'x': data_offsets [0, 12] hold 12 bytes "
           "but F32 shape (2, 3) needs 24"),
      ember::Error);
  CHECK_THROWS_WITH_AS(
      parse(
          file_bytes(R"({"i": {"dtype": "I64", "shape": [], "data_offsets": [0, 4]}})", zeros(8))),
      says("tensor 'i': data_offsets [0, 4] hold 4 bytes but I64 shape () needs 8"), ember::Error);
}

TEST_CASE("refuse: metadata that is not an object of strings") {
  CHECK_THROWS_WITH_AS(parse(file_bytes(R"({"__metadata__": {"epoch": 3}})")),
                       says("[safetensors] bad.st: \"__metadata__\" value of 'epoch' "
                            "is not a string"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse(file_bytes(R"({"__metadata__": ["a"]})")),
                       says("\"__metadata__\" must be a JSON object"), ember::Error);
}

TEST_CASE("refuse: U8 mask bytes other than 0 and 1") {
  CHECK_THROWS_WITH_AS(
      parse(file_bytes(R"({"m": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}})",
                       std::string("\x01\x02", 2))),
      says("[safetensors] bad.st: tensor 'm': U8 mask holds 2, not 0 or 1"), ember::Error);
}

TEST_CASE("refuse to serialize: clashing, reserved, undefined or non-UTF-8 names") {
  SafeTensors st;
  st.floats["x"] = NDArray::scalar(1.0f);
  st.indices["x"] = IndexArray({1});
  CHECK_THROWS_WITH_AS(serialize_safetensors(st),
                       says("[safetensors] (in memory): tensor name 'x' is used "
                            "twice"),
                       ember::Error);
  SafeTensors reserved;
  reserved.masks["__metadata__"] = NDArray::scalar(1.0f);
  CHECK_THROWS_WITH_AS(serialize_safetensors(reserved),
                       says("a tensor cannot be named \"__metadata__\""), ember::Error);
  SafeTensors undefined;
  undefined.floats["u"] = NDArray();
  CHECK_THROWS_WITH_AS(serialize_safetensors(undefined), says("tensor 'u' is undefined"),
                       ember::Error);
  SafeTensors latin1;
  latin1.metadata["note"] = "caf\xe9";
  CHECK_THROWS_WITH_AS(serialize_safetensors(latin1),
                       says("tensor names and metadata must be UTF-8"), ember::Error);
}
