// Reading and writing through zlib's gz* interface, which reads plain files transparently.
#include "ember/seq2seq/data/text_file.h"

#include <zlib.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ember/core/error.h"
#include "ember/core/regular_file.h"
#include "ember/core/utf8.h"

namespace ember::seq2seq {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 18;
constexpr size_t kMinBufferBytes = size_t{1} << 13;

// Closes the gz handle when the reader or writer leaves, by success or by an exception.
struct GzFile {
  gzFile handle;
  ~GzFile() {
    if (handle != nullptr) gzclose(handle);
  }
};

std::string gz_error_message(gzFile handle) {
  int code = Z_OK;
  const char* message = gzerror(handle, &code);
  return code < 0 ? std::string(message) : std::string();
}

// The whole (decompressed) content of the file.
std::string read_all(const std::string& path) {
  const int fd = core::open_regular_file(path, "[read_lines]");
  GzFile file{gzdopen(fd, "rb")};
  if (file.handle == nullptr) ::close(fd);
  EMBER_CHECK(file.handle != nullptr, "[read_lines] cannot open '{}'", path);
  // zlib's buffers sized to the file (within [8 KiB, 256 KiB]): a small file is read without
  // allocating and zeroing three quarters of a megabyte.
  struct stat info {};
  const auto file_bytes = ::fstat(fd, &info) == 0 ? static_cast<size_t>(info.st_size) : 0;
  gzbuffer(file.handle, static_cast<unsigned>(std::clamp<size_t>(file_bytes, kMinBufferBytes,
                                                                 kBufferBytes)));
  std::string content;
  char chunk[1 << 16];
  while (true) {
    const int got = gzread(file.handle, chunk, sizeof chunk);
    EMBER_CHECK(got >= 0, "[read_lines] cannot read '{}': {}", path, gz_error_message(file.handle));
    if (got == 0) break;
    content.append(chunk, static_cast<size_t>(got));
  }
  const std::string error = gz_error_message(file.handle);
  EMBER_CHECK(error.empty(), "[read_lines] cannot read '{}': {}", path, error);
  return content;
}

}  // namespace

std::vector<std::string> read_lines(const std::string& path) {
  const std::string content = read_all(path);
  EMBER_CHECK(!content.empty(), "[read_lines] '{}' is empty", path);
  return split_lines(content, path);
}

std::vector<std::string> split_lines(std::string_view content, const std::string& source) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = content.substr(start, end - start);
    const size_t bad = core::find_invalid_utf8(line);
    EMBER_CHECK(bad == std::string::npos, "[read_lines] '{}' line {}: invalid UTF-8 at byte {}",
                source, lines.size() + 1, bad + 1);
    lines.emplace_back(line);
    // "\r\n" is one line ending; a lone "\r" or "\n" is one too.
    const bool crlf = end + 1 < content.size() && content[end] == '\r' && content[end + 1] == '\n';
    start = end + (crlf ? 2 : 1);
  }
  return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  const bool gzip = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  errno = 0;
  GzFile file{gzopen(path.c_str(), gzip ? "wb6" : "wbT")};
  EMBER_CHECK(file.handle != nullptr, "[write_lines] cannot open '{}' for writing{}", path,
              errno != 0 ? fmt::format(": {}", std::strerror(errno)) : std::string());
  gzbuffer(file.handle, static_cast<unsigned>(kBufferBytes));
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    EMBER_CHECK(line.find('\n') == std::string::npos,
                "[write_lines] '{}' line {} contains a newline", path, i + 1);
    const bool ok = (line.empty() ||
                     gzwrite(file.handle, line.data(), static_cast<unsigned>(line.size())) > 0) &&
                    gzputc(file.handle, '\n') == '\n';
    EMBER_CHECK(ok, "[write_lines] cannot write '{}': {}", path, gz_error_message(file.handle));
  }
  const int closed = gzclose(file.handle);
  file.handle = nullptr;
  EMBER_CHECK(closed == Z_OK, "[write_lines] cannot write '{}' (error {} on close)", path, closed);
}

std::vector<std::string> split_fields(std::string_view line, char separator) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t at; (at = line.find(separator, start)) != std::string_view::npos; start = at + 1) {
    fields.emplace_back(line.substr(start, at - start));
  }
  fields.emplace_back(line.substr(start));
  return fields;
}

}  // namespace ember::seq2seq
