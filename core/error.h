// ember::Error and EMBER_CHECK: every user-facing check throws an Error whose message starts
// with the op in brackets and shows every shape involved, e.g.
//   [matmul] inner dimensions differ: (2, 3) @ (4, 5)
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace ember {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace ember

// EMBER_CHECK(cond, "[op] format", args...): throws ember::Error with the formatted message.
#define EMBER_CHECK(cond, ...)                                \
  do {                                                        \
    if (!(cond)) throw ::ember::Error(fmt::format(__VA_ARGS__)); \
  } while (0)
