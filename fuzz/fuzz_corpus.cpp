// seq2seq::read_lines on a file holding the input as is (plain text, or gzip if the bytes are
// gzip), then on the input gzip-compressed: both must give the same lines or both refuse.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ember/core/error.h"
#include "fuzz/fuzz_util.h"
#include "ember/seq2seq/data/text_file.h"

namespace {

// `bytes` as a gzip stream (windowBits 9 + 16, memLevel 1: small tables, so that each input does
// not allocate and clear zlib's default 400 KB of them).
std::string gzip(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK)
    __builtin_trap();
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) __builtin_trap();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// The lines, or nullopt-like {false, {}} when read_lines refuses the file.
std::pair<bool, std::vector<std::string>> lines_of(const std::string& path) {
  try {
    return {true, ember::seq2seq::read_lines(path)};
  } catch (const ember::Error&) {
    return {false, {}};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto& dir = ember::fuzz::scratch_dir("corpus");
  const std::string plain = (dir / "lines.txt").string();
  const std::string packed = (dir / "lines.txt.gz").string();
  ember::fuzz::write_bytes(plain, bytes);
  ember::fuzz::write_bytes(packed, gzip(bytes));
  const auto as_is = lines_of(plain);
  const auto compressed = lines_of(packed);
  // The input read through gzip is the input: same verdict, same lines (unless the input was
  // itself gzip, which the plain read decompresses and the packed one does not).
  const bool input_is_gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (!input_is_gzip && as_is != compressed) __builtin_trap();
  return 0;
}
