// The regression corpus of crafted malicious safetensors files (tests/data/malicious, written by
// make_malicious.py there): every file is refused with its own error text, the two classes too big
// to commit are built here, and paths that are not regular files are refused without hanging.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "ember/core/error.h"
#include "ember/core/safetensors.h"
#include "support/files.h"

namespace fs = std::filesystem;
using ember::core::load_safetensors;
using ember::testing::TempDir;
using ember::testing::write_file;

namespace {

// tests/data/malicious. __FILE__ may be relative to the directory the test was compiled in, which
// CMake makes the executable's own directory; run from anywhere, the path holds.
const fs::path kCorpus =
    (fs::read_symlink("/proc/self/exe").parent_path() / __FILE__).lexically_normal().parent_path() /
    "data" / "malicious";

// File (without .safetensors) -> the problem its refusal names, after "[safetensors] <path>: ".
const std::map<std::string, std::string> kExpected = {
    {"short_file", "file is 5 bytes, too short for the 8-byte header length"},
    {"empty_file", "file is 0 bytes, too short for the 8-byte header length"},
    {"truncated", "tensor 'w': data_offsets end 16 is beyond the data section (10 bytes)"},
    {"header_length_max",
     "header length 18446744073709551615 is over the format's limit of 100000000 bytes (and 78 "
     "bytes follow the length)"},
    {"header_length_past_end",
     "header length 1000 is larger than the file (truncated? 78 bytes follow the length)"},
    {"header_over_100mb",
     "header length 100000001 is over the format's limit of 100000000 bytes (and 78 bytes follow "
     "the length)"},
    {"offsets_overlap", "tensors 'a' [0, 8] and 'b' [4, 12] overlap"},
    {"offsets_gap",
     "data_offsets leave a gap: bytes [4, 8) of the data section belong to no tensor (the next "
     "is 'b' [8, 12])"},
    {"offsets_backwards", "tensor 'w': data_offsets [8, 4] run backwards (begin > end)"},
    {"shape_overflow", "tensor 'w': shape (4294967296, 4294967296, 16) is too large"},
    {"size_mismatch",
     "tensor 'w': data_offsets [0, 12] hold 12 bytes but F32 shape (2, 3) needs 24"},
    {"unknown_dtype", "tensor 'w': unknown dtype \"F8_E4M3\" (ember reads F32, F64, I64 and U8)"},
    {"duplicate_names", "header: JSON key \"w\" appears twice in one object"},
    {"duplicate_metadata_keys", "header: JSON key \"epoch\" appears twice in one object"},
    {"metadata_not_strings", "\"__metadata__\" value of 'epoch' is not a string"},
    {"trailing_bytes",
     "4 bytes after the last tensor (the tensors end at byte 16 of the 20-byte data section)"},
    {"deep_json", "header: JSON nested deeper than 64 levels"},
    {"not_utf8", "header is not UTF-8 (byte 0xe9 at offset 13 begins no valid sequence)"},
    {"nul_in_header", "header is not valid JSON (it holds a NUL byte at offset 68)"},
    {"not_json",
     "header: not valid JSON: parse error at line 1, column 60: syntax error while parsing object "
     "- unexpected end of input; expected '}'"},
    {"header_not_object", "header is not a JSON object"},
};

// The message load_safetensors(path) throws, or "" when it does not throw an ember::Error.
std::string refusal(const std::string& path) {
  try {
    load_safetensors(path);
  } catch (const ember::Error& e) {
    return e.what();
  }
  return "";
}

// 8-byte little-endian header length, header, data.
std::string file_bytes(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return out + header + data;
}

// Runs load_safetensors(path) in a child process that SIGALRM kills after 10 s, so that a reader
// that blocks on a FIFO or reads /dev/zero forever fails the test instead of hanging it. Returns
// "refused: <message>", "loaded", or how the child ended.
std::string load_in_child(const std::string& path) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(10);
    std::string result = "loaded";
    try {
      load_safetensors(path);
    } catch (const ember::Error& e) {
      result = std::string("refused: ") + e.what();
    }
    const ssize_t written = ::write(fds[1], result.data(), result.size());
    ::_exit(written == static_cast<ssize_t>(result.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string result;
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(fds[0], buffer, sizeof(buffer))) > 0) result.append(buffer, got);
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status))
    return WTERMSIG(status) == SIGALRM ? "hung (killed after 10 s)"
                                       : "killed by signal " + std::to_string(WTERMSIG(status));
  return result;
}

}  // namespace

TEST_CASE("the corpus and the table of expected errors hold the same files") {
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.path().extension() == ".safetensors") files.insert(entry.path().stem().string());
  std::set<std::string> table;
  for (const auto& [name, text] : kExpected) table.insert(name);
  CHECK(files == table);
}

TEST_CASE("every malicious file is refused with its own error") {
  for (const auto& [name, text] : kExpected) {
    const std::string path = (kCorpus / (name + ".safetensors")).string();
    CAPTURE(path);
    const std::string message = refusal(path);
    CAPTURE(message);
    CHECK(message.find("[safetensors] " + path + ": " + text) == 0);
    // The message is the whole story: one line, and short even for the 200 KB deep header.
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.size() < 300 + path.size());
  }
}

TEST_CASE("huge strings: a multi-megabyte name is shortened in the refusal; a huge value loads") {
  TempDir dir("malicious");
  const std::string path = dir.file("huge_name.safetensors");
  const std::string name(8'000'000, 'n');
  write_file(path, file_bytes(R"({")" + name +
                                  R"(": {"dtype": "F32", "shape": [], )"
                                  R"("data_offsets": [0, 1]}})",
                              std::string(1, '\0')));
  CHECK(refusal(path) == "[safetensors] " + path + ": tensor '" + std::string(32, 'n') +
                             "... (8000000 bytes)': data_offsets [0, 1] hold 1 bytes but F32 "
                             "shape () needs 4");

  // A multi-megabyte metadata value breaks no rule of the format: it loads.
  const std::string value(8'000'000, 'v');
  write_file(path, file_bytes(R"({"__metadata__": {"note": ")" + value + R"("}})", ""));
  CHECK(load_safetensors(path).metadata.at("note") == value);
}

TEST_CASE("paths that are not regular files are refused at once, not read") {
  TempDir dir("malicious");
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string link = dir.file("zero_link");
  fs::create_symlink("/dev/zero", link);
  const auto refusal = [](const std::string& path, const std::string& what) {
    return "refused: [safetensors] cannot read '" + path + "': " + what;
  };
  CHECK(load_in_child(dir.path.string()) == refusal(dir.path.string(), "it is a directory"));
  CHECK(load_in_child("/dev/zero") ==
        refusal("/dev/zero", "it is not a regular file (a character device)"));
  CHECK(load_in_child(link) == refusal(link, "it is not a regular file (a character device)"));
  CHECK(load_in_child(fifo) == refusal(fifo, "it is not a regular file (a FIFO)"));
  CHECK(load_in_child(dir.file("missing")) == refusal(dir.file("missing"), "it does not exist"));
}
