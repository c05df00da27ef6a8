// Strict number parsing for text the user or a file gives (command-line flags, checkpoint
// strings, metrics.csv): the whole text must be the number, and a finite one (no nan, no inf).
#pragma once

#include <cstdint>
#include <string>

namespace ember::seq2seq {

// Throw "[flags] <what> expects an integer|a (finite) number, got '<text>'".
int64_t parse_int(const std::string& text, const std::string& what);
double parse_number(const std::string& text, const std::string& what);

}  // namespace ember::seq2seq
