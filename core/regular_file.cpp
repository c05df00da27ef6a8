#include "ember/core/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ember/core/error.h"

namespace ember::core {
namespace {

// What a path that is not a regular file is, for errors.
std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  if (S_ISCHR(mode)) return "it is not a regular file (a character device)";
  if (S_ISBLK(mode)) return "it is not a regular file (a block device)";
  if (S_ISFIFO(mode)) return "it is not a regular file (a FIFO)";
  if (S_ISSOCK(mode)) return "it is not a regular file (a socket)";
  return "it is not a regular file";
}

}  // namespace

int open_regular_file(const std::string& path, const std::string& op) {
  // O_NONBLOCK lets open() return at once on a FIFO (which fstat then refuses, unread); it is
  // cleared for the reads.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    EMBER_CHECK(error != ENOENT && error != ENOTDIR, "{} cannot read '{}': it does not exist", op,
                path);
    throw Error(fmt::format("{} cannot open '{}': {}", op, path, std::strerror(error)));
  }
  struct stat info {};
  const bool statted = ::fstat(fd, &info) == 0;
  const bool regular = statted && S_ISREG(info.st_mode);
  const bool blocking = regular && ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0;
  if (!blocking) {
    const int error = errno;
    ::close(fd);
    EMBER_CHECK(statted, "{} cannot open '{}': {}", op, path, std::strerror(error));
    EMBER_CHECK(regular, "{} cannot read '{}': {}", op, path, file_kind(info.st_mode));
    throw Error(fmt::format("{} cannot open '{}': {}", op, path, std::strerror(error)));
  }
  return fd;
}

std::string read_regular_file(const std::string& path, const std::string& op) {
  const int fd = open_regular_file(path, op);
  std::string bytes;
  char buffer[1 << 16];
  int error = 0;
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got > 0) {
      bytes.append(buffer, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      error = got < 0 ? errno : 0;
      break;
    }
  }
  ::close(fd);
  EMBER_CHECK(error == 0, "{} cannot read '{}': {}", op, path, std::strerror(error));
  return bytes;
}

}  // namespace ember::core
