// Text files of one example per line, plain or gzip-compressed (zlib), read and written whole.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ember::seq2seq {

// The lines of a UTF-8 text file, read with universal newlines: "\n" (Unix), "\r\n" (Windows)
// and a lone "\r" (classic Mac OS) each end a line, and none of them is kept. A gzip file is
// recognised by its content, whatever its name; anything else is read as plain text. A final
// line without a line ending counts; a final line ending does not start an empty line. Empty
// lines are kept: skipping them (and saying so) is the caller's business.
// Only a regular file (or a link to one) is read: a directory, a device, a FIFO or a socket is
// refused without reading from it, so a FIFO cannot hang the reader.
// Throws ember::Error "[read_lines]" naming the file when it does not exist, is not a regular
// file, cannot be opened or decompressed, when it is empty, and at the first line that is not
// valid UTF-8 (naming the 1-based line and the byte in it).
std::vector<std::string> read_lines(const std::string& path);

// The lines of `content` by read_lines' rules (universal newlines, UTF-8 checked), for text that
// does not come from a file (stdin). `source` names it in errors ("<stdin>"). Empty content has
// no lines. Throws "[read_lines] '<source>' line N: invalid UTF-8 at byte K".
std::vector<std::string> split_lines(std::string_view content, const std::string& source);

// The fields of a line between `separator`s, empty ones kept ("a,,b" -> {"a", "", "b"}; "" ->
// {""}): comma-separated flag values and CSV lines without quoting.
std::vector<std::string> split_fields(std::string_view line, char separator);

// Writes each line followed by '\n'; gzip-compressed when `path` ends in ".gz", plain otherwise.
// Throws "[write_lines]" when the file cannot be written (with the system's reason) or a line
// contains '\n'.
void write_lines(const std::string& path, const std::vector<std::string>& lines);

}  // namespace ember::seq2seq
