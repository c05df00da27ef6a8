// Reading aligned files, the <split>[.tok].<side>[.gz] layout, and encoding with length limits.
#include "ember/seq2seq/data/parallel_corpus.h"

#include <exception>
#include <filesystem>

#include "ember/core/error.h"
#include "ember/core/threads.h"
#include "ember/seq2seq/data/text_file.h"

namespace ember::seq2seq {

std::string corpus_file(const std::string& dir, const std::string& split, const std::string& side,
                        bool tokenized) {
  const std::string name = split + (tokenized ? ".tok." : ".") + side;
  const std::filesystem::path plain = std::filesystem::path(dir) / name;
  const std::filesystem::path gz = std::filesystem::path(dir) / (name + ".gz");
  const bool has_gz = std::filesystem::exists(gz), has_plain = std::filesystem::exists(plain);
  EMBER_CHECK(!(has_gz && has_plain),
              "[corpus_file] both '{}' and '{}' exist: which one to read is ambiguous; remove or "
              "rename one",
              plain.string(), gz.string());
  return has_plain ? plain.string() : gz.string();
}

CorpusFiles corpus_files(const std::string& dir, const std::string& split,
                         const std::string& source_side, const std::string& target_side,
                         bool tokenized) {
  return {corpus_file(dir, split, source_side, tokenized),
          corpus_file(dir, split, target_side, tokenized)};
}

ParallelText read_parallel(const std::string& source_path, const std::string& target_path) {
  ParallelText text{read_lines(source_path), read_lines(target_path)};
  EMBER_CHECK(text.source.size() == text.target.size(),
              "[read_parallel] line counts differ: '{}' has {} lines, '{}' has {}", source_path,
              text.source.size(), target_path, text.target.size());
  return text;
}

namespace {

enum class Verdict { kKept, kEmpty, kTooLong, kTruncated };

// The ids of a side, tokenized no further than limit + 1 pieces (limit 0: all of it), so that a
// long line costs time linear in the limit, not in itself. *partly: only a prefix was tokenized
// (then the line is over the limit).
std::vector<int64_t> encode_side(const std::string& text, const Tokenizer& tokenizer,
                                 int64_t limit, bool* partly) {
  if (limit <= 0) return tokenizer.encode(text);
  const std::string_view head = tokenizer.encode_prefix(text, limit + 1);
  *partly = head.size() < text.size();
  return tokenizer.encode(head);
}

Verdict encode_pair(const std::string& source, const std::string& target,
                    const Tokenizer& source_tokenizer, const Tokenizer& target_tokenizer,
                    const LengthFilter& filter, Example* example, bool* partly) {
  bool source_partly = false, target_partly = false;
  example->source = encode_side(source, source_tokenizer, filter.max_source_tokens, &source_partly);
  example->target = encode_side(target, target_tokenizer, filter.max_target_tokens, &target_partly);
  *partly = source_partly || target_partly;
  const auto over = [](const std::vector<int64_t>& ids, int64_t limit, bool cut) {
    return limit > 0 && (cut || static_cast<int64_t>(ids.size()) > limit);
  };
  if ((example->source.empty() && !source_partly) || (example->target.empty() && !target_partly))
    return Verdict::kEmpty;
  if (over(example->target, filter.max_target_tokens, target_partly)) return Verdict::kTooLong;
  if (!over(example->source, filter.max_source_tokens, source_partly)) return Verdict::kKept;
  if (!filter.truncate_source || example->source.empty()) return Verdict::kTooLong;
  const auto limit = static_cast<size_t>(filter.max_source_tokens);
  if (example->source.size() > limit) example->source.resize(limit);
  return Verdict::kTruncated;
}

}  // namespace

std::vector<Example> encode_parallel(const ParallelText& text, const Tokenizer& source_tokenizer,
                                     const Tokenizer& target_tokenizer, const LengthFilter& filter,
                                     EncodeStats* stats) {
  EMBER_CHECK(filter.max_source_tokens >= 0 && filter.max_target_tokens >= 0,
              "[encode_parallel] length limits must be >= 0 (0 = none), got source {} target {}",
              filter.max_source_tokens, filter.max_target_tokens);
  EMBER_CHECK(text.source.size() == text.target.size(),
              "[encode_parallel] {} source lines but {} target lines", text.source.size(),
              text.target.size());
  const int64_t n = text.size();
  std::vector<Example> encoded(static_cast<size_t>(n));
  std::vector<Verdict> verdicts(static_cast<size_t>(n));
  std::vector<char> partly(static_cast<size_t>(n), 0);
  // Tokenizers are read-only once trained, so pairs encode independently (the first exception
  // comes out of parallel_for once every pair is done).
  core::parallel_for(n, n > 1, [&](int64_t i) {
    bool cut = false;
    verdicts[i] = encode_pair(text.source[i], text.target[i], source_tokenizer, target_tokenizer,
                              filter, &encoded[i], &cut);
    partly[i] = cut ? 1 : 0;
  });
  EncodeStats counts;
  std::vector<Example> examples;
  examples.reserve(encoded.size());
  for (int64_t i = 0; i < n; ++i) {
    const Verdict verdict = verdicts[i];
    if (verdict == Verdict::kEmpty) ++counts.empty;
    if (verdict == Verdict::kTooLong) ++counts.too_long;
    if (verdict == Verdict::kTruncated) ++counts.truncated;
    if (verdict != Verdict::kEmpty && partly[i] != 0) ++counts.tokenized_in_part;
    if (verdict == Verdict::kKept || verdict == Verdict::kTruncated)
      examples.push_back(std::move(encoded[i]));
  }
  counts.kept = static_cast<int64_t>(examples.size());
  if (stats != nullptr) *stats = counts;
  return examples;
}

}  // namespace ember::seq2seq
