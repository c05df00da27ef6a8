// RunLock: one writer per run directory. `ember train` holds <run_dir>/run.lock for as long as it
// trains there; a second process that tries is refused, naming the holder's pid. The lock is an
// flock(2) on the file, which the kernel releases when the holder exits however it exits
// (kill -9 included), so a lock left behind by a dead process never blocks.
//
//   RunLock lock("runs/dates");   // throws "[run] runs/dates is in use by ... (pid 1234)"
#pragma once

#include <string>

namespace ember::seq2seq {

class RunLock {
 public:
  // Creates the directory if needed and takes the lock, or throws ember::Error.
  explicit RunLock(const std::string& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  static std::string path(const std::string& run_dir);  // <run_dir>/run.lock

 private:
  int fd_ = -1;
};

}  // namespace ember::seq2seq
