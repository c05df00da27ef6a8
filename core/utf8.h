// UTF-8 checks and code-point splitting (RFC 3629): what the text pipeline calls a character, and
// what every reader of text (safetensors headers, corpora, stdin) accepts as UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ember::core {

// Byte offset of the first invalid UTF-8 sequence in `text`, or std::string::npos when the whole
// text is valid. Rejects overlong forms, UTF-16 surrogates (U+D800..U+DFFF), code points above
// U+10FFFF and truncated sequences, as RFC 3629 requires.
size_t find_invalid_utf8(std::string_view text);

inline bool is_valid_utf8(std::string_view text) {
  return find_invalid_utf8(text) == std::string::npos;
}

// The code points of `text` as views into it ("né" -> "n", "é"). An invalid byte becomes a
// one-byte piece of its own, so any input splits and the pieces always concatenate back to it.
std::vector<std::string_view> split_code_points(std::string_view text);

}  // namespace ember::core
