// Parallel text: source and target files, line-aligned, read whole; the data-directory layout of
// ../shared/data (<dir>/<split>.<side>.gz, tokenized <dir>/<split>.tok.<side>.gz); and encoding
// into id examples, skipping (and counting) the empty and the over-long.
//
//   CorpusFiles files = corpus_files("data/multi30k", "train", "de", "en", /*tokenized=*/true);
//   ParallelText text = read_parallel(files);
//   EncodeStats stats;
//   std::vector<Example> examples = encode_parallel(text, *src_tok, *tgt_tok, {100, 100}, &stats);
//   // the caller logs stats.empty / stats.too_long: nothing is dropped silently
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/seq2seq/data/tokenizer.h"

namespace ember::seq2seq {

// One example: token ids without <s> or </s> (batching adds them).
struct Example {
  std::vector<int64_t> source;
  std::vector<int64_t> target;
};

// Aligned sentences: source[i] translates (or summarises to) target[i].
struct ParallelText {
  std::vector<std::string> source;
  std::vector<std::string> target;
  int64_t size() const { return static_cast<int64_t>(source.size()); }
};

struct CorpusFiles {
  std::string source;
  std::string target;
};

// The file of one side of a split: <dir>/<split>.<side>.gz, or <dir>/<split>.tok.<side>.gz when
// tokenized; the same name without ".gz" when only that exists. When neither exists it returns the
// .gz name, so that reading it fails naming the file the layout expects. Throws "[corpus_file]"
// naming both when both exist (they may differ; neither silently wins).
std::string corpus_file(const std::string& dir, const std::string& split, const std::string& side,
                        bool tokenized);
CorpusFiles corpus_files(const std::string& dir, const std::string& split,
                         const std::string& source_side, const std::string& target_side,
                         bool tokenized);

// Reads both files (read_lines: plain or gzip, UTF-8 checked). Throws "[read_parallel]" naming
// both files and their line counts when the counts differ.
ParallelText read_parallel(const std::string& source_path, const std::string& target_path);
inline ParallelText read_parallel(const CorpusFiles& files) {
  return read_parallel(files.source, files.target);
}

// Lengths are counted in tokens after tokenization, without the <s>/</s> that batching adds. A
// side with a limit is tokenized no further than it needs to tell (Tokenizer::encode_prefix), so a
// line of megabytes costs no more than a line just over the limit, and a truncated source keeps
// the same tokens as when the whole line was tokenized.
struct LengthFilter {
  int64_t max_source_tokens = 0;  // 0 = no limit
  int64_t max_target_tokens = 0;  // 0 = no limit
  // Cut a longer source to max_source_tokens instead of skipping the example (summarization,
  // where the start of a long document still makes an example).
  bool truncate_source = false;
};

// What encode_parallel did with each pair; kept + empty + too_long = the pairs read.
struct EncodeStats {
  int64_t kept = 0;
  int64_t empty = 0;      // skipped: a side with no tokens (an empty or blank line)
  int64_t too_long = 0;   // skipped: a side over its limit
  int64_t truncated = 0;  // kept, with the source cut (truncate_source)
  // Of too_long and truncated: pairs with a side so long that only its start was tokenized (the
  // part that settles the verdict); the rest of the line was never read.
  int64_t tokenized_in_part = 0;
};

// Encodes every pair with the tokenizers, in order, skipping the empty and the over-long ones.
// `stats` (may be null) receives the counts. Throws "[encode_parallel]" for negative limits.
std::vector<Example> encode_parallel(const ParallelText& text, const Tokenizer& source_tokenizer,
                                     const Tokenizer& target_tokenizer, const LengthFilter& filter,
                                     EncodeStats* stats);

}  // namespace ember::seq2seq
