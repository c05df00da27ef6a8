// seq2seq::load_tokenizer on a directory whose files come from the input, split at
// fuzz_util.h's kSeparator line: tokenizer.json (the manifest naming the kind), vocab.json (word
// and char), sentencepiece.model (bpe and unigram), then a text. A part that is absent leaves
// its file absent. A tokenizer that loads encodes the text and decodes the ids.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "fuzz/fuzz_util.h"
#include "ember/seq2seq/data/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> parts =
      ember::fuzz::split_parts({reinterpret_cast<const char*>(data), size});
  const std::filesystem::path& dir = ember::fuzz::scratch_dir("tokenizer");
  const char* files[] = {"tokenizer.json", "vocab.json", "sentencepiece.model"};
  for (size_t i = 0; i < 3; ++i) {
    std::filesystem::remove(dir / files[i]);
    if (i < parts.size()) ember::fuzz::write_bytes(dir / files[i], parts[i]);
  }
  std::unique_ptr<ember::seq2seq::Tokenizer> tokenizer;
  try {
    tokenizer = ember::seq2seq::load_tokenizer(dir.string());
  } catch (const ember::Error&) {
    return 0;
  }
  const std::string text = parts.size() > 3 ? parts[3] : "a test";
  try {
    const std::vector<int64_t> ids = tokenizer->encode(text);
    for (int64_t id : ids)
      if (id < 0 || id >= tokenizer->vocab_size()) __builtin_trap();
    tokenizer->decode(ids);
  } catch (const ember::Error&) {
    // encode may refuse text (invalid UTF-8, say); decode of encode's own ids may not fail
    // silently either, but it may refuse with an ember::Error.
  }
  return 0;
}
