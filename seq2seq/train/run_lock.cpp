#include "ember/seq2seq/train/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "ember/core/error.h"

namespace ember::seq2seq {
namespace {

// The pid the holder wrote into the lock file, as text ("unknown" when unreadable).
std::string holder_pid(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
  std::string pid(text, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos ? "unknown"
                                                                                 : pid;
}

}  // namespace

std::string RunLock::path(const std::string& run_dir) { return run_dir + "/run.lock"; }

RunLock::RunLock(const std::string& run_dir) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir, ec);
  EMBER_CHECK(!ec, "[run] cannot create the run directory {}: {}", run_dir, ec.message());
  const std::string file = path(run_dir);
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  EMBER_CHECK(fd_ >= 0, "[run] cannot open the lock file {}: {}", file, std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string pid = holder_pid(fd_);
    ::close(fd_);
    fd_ = -1;
    EMBER_CHECK(error != EWOULDBLOCK,
                "[run] {} is in use by another ember process (pid {}): wait for it to finish or "
                "stop it, or choose another --run-dir",
                run_dir, pid);
    throw Error(fmt::format("[run] cannot lock {}: {}", file, std::strerror(error)));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  const bool recorded = ::ftruncate(fd_, 0) == 0 &&
                        ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  (void)recorded;  // best effort: the pid only makes a second process's refusal more helpful
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace ember::seq2seq
