#include "ember/core/json.h"

#include <doctest/doctest.h>

#include <string>

#include "ember/core/error.h"

using ember::core::parse_json;

TEST_CASE("parse_json reads a document and keeps its keys") {
  const auto j = parse_json(R"({"a": [1, 2, {"b": "c"}], "d": null})", "[test] x.json");
  CHECK(j.at("a").at(2).at("b") == "c");
  CHECK(j.at("d").is_null());
}

TEST_CASE("parse_json refuses duplicate keys, at any depth, naming the key") {
  CHECK_THROWS_WITH_AS(parse_json(R"({"a": 1, "a": 2})", "[test] x.json"),
                       doctest::Contains("[test] x.json: JSON key \"a\" appears twice"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse_json(R"({"a": {"k": 1, "k": 1}})", "[test] x.json"),
                       doctest::Contains("\"k\" appears twice"), ember::Error);
  // The same key in two different objects is fine.
  CHECK_NOTHROW(parse_json(R"([{"k": 1}, {"k": 2}])", "[test] x.json"));
}

TEST_CASE("parse_json bounds the nesting depth before building anything deep") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_THROWS_WITH_AS(parse_json(deep, "[test] deep.json"),
                       doctest::Contains("[test] deep.json: JSON nested deeper than 64 levels"),
                       ember::Error);
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  CHECK_NOTHROW(parse_json(ok, "[test] ok.json"));
  CHECK_THROWS_AS(parse_json(std::string(65, '[') + std::string(65, ']'), "[test]"), ember::Error);
  CHECK_NOTHROW(parse_json(std::string(3, '[') + std::string(3, ']'), "[test]", 3));
  CHECK_THROWS_AS(parse_json(std::string(4, '[') + std::string(4, ']'), "[test]", 3), ember::Error);
}

TEST_CASE("parse_json names the line and column of a syntax error, and refuses bad UTF-8") {
  CHECK_THROWS_WITH_AS(parse_json("{\n  \"a\": }", "[test] bad.json"),
                       doctest::Contains("[test] bad.json: not valid JSON: parse error at line 2"),
                       ember::Error);
  CHECK_THROWS_WITH_AS(parse_json("\"\xff\"", "[test] bad.json"),
                       doctest::Contains("not valid JSON"), ember::Error);
  CHECK_THROWS_AS(parse_json("{} {}", "[test] two.json"), ember::Error);
  CHECK_THROWS_AS(parse_json("", "[test] empty.json"), ember::Error);
}

TEST_CASE("json_differences names every changed, added and removed value under dotted keys") {
  const nlohmann::json a =
      nlohmann::json::parse(R"({"lr": 0.1, "model": {"layers": 2, "heads": 4}, "old": 1})");
  const nlohmann::json b =
      nlohmann::json::parse(R"({"lr": 0.1, "model": {"layers": 3, "heads": 4}, "new": "x"})");
  CHECK(ember::core::json_differences(a, b) ==
        std::vector<std::string>{"model.layers 2 -> 3", "old 1 -> (none)", "new (none) -> \"x\""});
  CHECK(ember::core::json_differences(a, a).empty());
}
