#include "ember/seq2seq/train/ensemble_run.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

#include "ember/core/error.h"
#include "ember/seq2seq/models/ensemble.h"
#include "ember/seq2seq/train/checkpoint_files.h"

namespace ember::seq2seq {
namespace {

// What differs between two tokenizers' vocabularies (kind, size, or the first differing piece),
// or nothing.
std::optional<std::string> vocabulary_difference(const Tokenizer& a, const Tokenizer& b,
                                                 const std::string& name_a,
                                                 const std::string& name_b) {
  if (a.kind() != b.kind() || a.vocab_size() != b.vocab_size())
    return fmt::format("{} has a {} tokenizer of {} pieces, {} a {} tokenizer of {} pieces", name_a,
                       a.kind(), a.vocab_size(), name_b, b.kind(), b.vocab_size());
  for (int64_t id = 0; id < a.vocab_size(); ++id) {
    const std::string pa = a.piece_of(id), pb = b.piece_of(id);
    if (pa != pb)
      return fmt::format("piece {} is '{}' in {} but '{}' in {}", id, pa, name_a, pb, name_b);
  }
  return std::nullopt;
}

void check_same_vocabularies(const LoadedRun& first, const std::string& first_dir,
                             const LoadedRun& other, const std::string& other_dir) {
  for (const bool source : {true, false}) {
    const auto differs = vocabulary_difference(
        source ? *first.source_tokenizer : *first.target_tokenizer,
        source ? *other.source_tokenizer : *other.target_tokenizer, first_dir, other_dir);
    EMBER_CHECK(!differs,
                "[ensemble] the runs {} and {} have different {} vocabularies ({}): an "
                "ensemble needs runs trained with the same tokenizers",
                first_dir, other_dir, source ? "source" : "target", *differs);
  }
}

// The lower of two limits where 0 means none.
int64_t lower_limit(int64_t a, int64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

}  // namespace

LoadedRun load_ensemble(const std::vector<std::string>& run_dirs, const std::string& checkpoint) {
  EMBER_CHECK(!run_dirs.empty(), "[ensemble] no run to load");
  if (run_dirs.size() == 1) return load_run(run_dirs.front(), checkpoint);
  EMBER_CHECK(checkpoint.empty() || is_checkpoint_name(checkpoint),
              "[ensemble] --checkpoint {} is a file of one run; with several runs give best, "
              "last or average (each run's own)",
              checkpoint);
  LoadedRun first = load_run(run_dirs.front(), checkpoint);
  std::vector<std::shared_ptr<Seq2SeqModel>> models = {first.model};
  std::vector<std::string> files = {first.checkpoint};
  for (size_t i = 1; i < run_dirs.size(); ++i) {
    LoadedRun other = load_run(run_dirs[i], checkpoint);
    check_same_vocabularies(first, run_dirs.front(), other, run_dirs[i]);
    models.push_back(other.model);
    files.push_back(other.checkpoint);
    first.ensemble_configs.push_back(std::move(other.config));
  }
  first.model = std::make_shared<EnsembleModel>(std::move(models));
  first.model->eval();
  first.checkpoint = fmt::format("{}", fmt::join(files, ","));
  return first;
}

void narrow_decode_limits(const std::vector<RunConfig>& configs, DecodeOptions& decode) {
  for (const RunConfig& config : configs) {
    DecodeOptions member;
    set_decode_limits(config, member);
    decode.max_source_tokens = lower_limit(decode.max_source_tokens, member.max_source_tokens);
    decode.max_output_tokens = lower_limit(decode.max_output_tokens, member.max_output_tokens);
  }
}

}  // namespace ember::seq2seq
