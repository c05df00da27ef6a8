// The `ember` program as a user runs it, for the tests: found next to the test executables in
// the build tree (<build>/seq2seq/ember), run to completion with its output, or started in the
// background and followed line by line (to signal it at a known point of its work).
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace ember::testing {

struct Outcome {
  int code = -1;       // the exit code; 128 + n for a process killed by signal n, as a shell says
  std::string output;  // stdout and stderr together
  int lines() const {
    int n = 0;
    for (char c : output) n += c == '\n';
    return n;
  }
  bool contains(const std::string& text) const { return output.find(text) != std::string::npos; }
};

inline std::string ember_path() {
  namespace fs = std::filesystem;
  return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "seq2seq" / "ember")
      .string();
}

inline int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// Runs `ember <args>` (through the shell: args are shell words), `input` on its stdin.
inline Outcome run_ember(const std::string& args, const std::string& input = "") {
  std::string command = "'" + ember_path() + "' " + args + " 2>&1";
  if (!input.empty()) command = "printf '" + input + "' | " + command;
  Outcome out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer;
  for (size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    out.output.append(buffer.data(), n);
  }
  out.code = exit_code(pclose(pipe));
  return out;
}

// `ember <args>` started in the background, its stdout and stderr read through a pipe.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const std::string program = ember_path();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv{const_cast<char*>(program.c_str())};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    REQUIRE(out_ != nullptr);
  }
  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      finish();
    }
    if (out_ != nullptr) fclose(out_);
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }

  // Reads the output until a line contains `text` (true) or the program ends (false).
  bool wait_for(const std::string& text) {
    char line[4096];
    while (fgets(line, sizeof line, out_) != nullptr) {
      output_ += line;
      if (std::string(line).find(text) != std::string::npos) return true;
    }
    return false;
  }
  void signal(int number) { REQUIRE(kill(pid_, number) == 0); }
  // Reads the rest of the output and waits for the program to end; returns its exit code.
  int finish() {
    wait_for("\x01never\x01");
    int status = 0;
    REQUIRE(waitpid(pid_, &status, 0) == pid_);
    pid_ = -1;
    return exit_code(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string output_;
};

}  // namespace ember::testing
