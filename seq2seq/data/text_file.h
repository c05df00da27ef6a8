// Text files of one example per line, plain or gzip-compressed (zlib), read and written whole.
#pragma once

#include <string>
#include <vector>

namespace ember::seq2seq {

// The lines of a UTF-8 text file, without their '\n' (and without a '\r' before it, so CRLF files
// read as LF files). A gzip file is recognised by its content, whatever its name; anything else
// is read as plain text. A final line without '\n' counts; a final '\n' does not start an empty
// line. Empty lines are kept: skipping them (and saying so) is the caller's business.
// Throws ember::Error "[read_lines]" naming the file when it cannot be opened or decompressed,
// when it is empty, and at the first line that is not valid UTF-8 (naming the 1-based line and
// the byte in it).
std::vector<std::string> read_lines(const std::string& path);

// Writes each line followed by '\n'; gzip-compressed when `path` ends in ".gz", plain otherwise.
// Throws "[write_lines]" when the file cannot be written or a line contains '\n'.
void write_lines(const std::string& path, const std::vector<std::string>& lines);

}  // namespace ember::seq2seq
