#include "ember/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ember/core/error.h"

namespace ember::core {
namespace {

constexpr std::string_view kTempInfix = ".tmp.";

// errno, or EIO when a failing call left it unset.
int last_error() { return errno != 0 ? errno : EIO; }

// Writes `bytes` to a new file at `path` and syncs it to disk; returns 0 or an errno value.
int write_synced(const std::string& path, std::string_view bytes) {
  errno = 0;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return last_error();
  int error = 0;
  for (size_t done = 0; done < bytes.size() && error == 0;) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) done += static_cast<size_t>(n);
    else if (n < 0 && errno != EINTR) error = last_error();
  }
  if (error == 0 && ::fsync(fd) != 0) error = last_error();
  if (::close(fd) != 0 && error == 0) error = last_error();
  return error;
}

// Syncs the directory holding `path`, so that a rename in it is on disk. Best effort: some file
// systems refuse to sync a directory, and the data itself is already synced.
void sync_directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const int fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view bytes, const char* op) {
  const std::string temp = fmt::format("{}{}{}", path, kTempInfix, ::getpid());
  int error = write_synced(temp, bytes);
  errno = 0;
  if (error == 0 && std::rename(temp.c_str(), path.c_str()) != 0) error = last_error();
  if (error != 0) {
    std::remove(temp.c_str());
    throw Error(fmt::format("{} {}: cannot save: {}", op, path, std::strerror(error)));
  }
  sync_directory_of(path);
}

bool is_atomic_temporary(const std::string& filename) {
  const size_t at = filename.rfind(kTempInfix);
  if (at == std::string::npos || at == 0) return false;
  const std::string_view pid = std::string_view(filename).substr(at + kTempInfix.size());
  return !pid.empty() && pid.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace ember::core
