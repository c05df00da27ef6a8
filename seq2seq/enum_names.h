// Closed sets of settings as enums with one name each: the table that maps names to values, read
// once where text comes in (a flag, a JSON file) and written back wherever a name goes out (logs,
// JSON, help). An unknown name is an error listing the valid ones, never a silent default.
//
//   enum class Colour { kRed, kBlue };
//   const EnumNames<Colour> kColours{"[paint]", "colour", {{"red", Colour::kRed},
//                                                          {"blue", Colour::kBlue}}};
//   Colour c = kColours.parse("blue");       // "green": "[paint] unknown colour 'green'
//                                            //  (expected one of: red, blue)"
//   const char* name = kColours.name(c);     // "blue"
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ember/core/error.h"

namespace ember::seq2seq {

template <class E>
class EnumNames {
 public:
  // `tag` opens error messages ("[trainer]"), `what` names the setting ("optimizer").
  EnumNames(const char* tag, const char* what, std::vector<std::pair<const char*, E>> table)
      : tag_(tag), what_(what), table_(std::move(table)) {}

  // Throws "<tag> unknown <what> '<name>' (expected one of: a, b, c)".
  E parse(std::string_view name) const {
    for (const auto& [n, value] : table_)
      if (name == n) return value;
    throw Error(fmt::format("{} unknown {} '{}' (expected one of: {})", tag_, what_, name,
                            fmt::join(names(), ", ")));
  }

  // Every value of E has a name in the table (each table lists its enum's values in full).
  const char* name(E value) const {
    for (const auto& [n, v] : table_)
      if (v == value) return n;
    return "?";
  }

  // The names in table order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : table_) out.emplace_back(entry.first);
    return out;
  }

 private:
  const char* tag_;
  const char* what_;
  std::vector<std::pair<const char*, E>> table_;
};

}  // namespace ember::seq2seq
