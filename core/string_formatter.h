// Lets fmt print a type the way one of ember's functions turns it into a string:
//   template <>
//   struct fmt::formatter<ember::core::NDArray>
//       : ember::core::StringFormatter<ember::core::NDArray, ember::core::to_string> {};
// Width, fill and alignment specs ("{:>40}") apply to the whole string.
#pragma once

#include <fmt/core.h>

#include <string>

namespace ember::core {

template <class T, std::string (*print)(const T&)>
struct StringFormatter : fmt::formatter<fmt::string_view> {
  auto format(const T& value, fmt::format_context& ctx) const {
    const std::string text = print(value);
    return fmt::formatter<fmt::string_view>::format(text, ctx);
  }
};

}  // namespace ember::core
