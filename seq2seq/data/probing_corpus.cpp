// Copy, reverse, sort and the grammar tasks: the seeded sources, the targets and the length buckets.
#include "ember/seq2seq/data/probing_corpus.h"

#include <algorithm>
#include <unordered_set>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/seq2seq/data/agreement_grammar.h"
#include "ember/seq2seq/data/sense_grammar.h"
#include "ember/seq2seq/data/words.h"

namespace ember::seq2seq {
namespace {

constexpr int64_t kMaxAlphabet = 26;
constexpr int64_t kMaxLength = 1000;

bool is_task(const std::string& task) {
  const auto& tasks = probing_tasks();
  return std::find(tasks.begin(), tasks.end(), task) != tasks.end();
}

// alphabet^length, saturated at `cap` (enough to compare with the held-out count).
int64_t sequences_of_length(int64_t alphabet, int64_t length, int64_t cap) {
  int64_t count = 1;
  for (int64_t i = 0; i < length && count < cap; ++i) count *= alphabet;
  return count;
}

void check_options(const ProbingOptions& o) {
  EMBER_CHECK(is_task(o.task), "[probing_corpus] unknown task '{}' ({})", o.task,
              fmt::join(probing_tasks(), ", "));
  EMBER_CHECK(o.train_size >= 1 && o.valid_size >= 0 && o.test_size >= 0,
              "[probing_corpus] sizes must be train >= 1, valid >= 0, test >= 0, got {}/{}/{}",
              o.train_size, o.valid_size, o.test_size);
  EMBER_CHECK(o.min_length >= 1 && o.min_length <= o.max_length && o.max_length <= kMaxLength,
              "[probing_corpus] lengths must satisfy 1 <= min_length <= max_length <= {}, got "
              "{}..{}",
              kMaxLength, o.min_length, o.max_length);
  EMBER_CHECK(o.num_buckets >= 1 && o.num_buckets <= o.max_length - o.min_length + 1,
              "[probing_corpus] {} buckets do not fit the {} lengths {}..{}", o.num_buckets,
              o.max_length - o.min_length + 1, o.min_length, o.max_length);
  EMBER_CHECK(o.alphabet_size >= 2 && o.alphabet_size <= kMaxAlphabet,
              "[probing_corpus] alphabet_size must be in [2, {}], got {}", kMaxAlphabet,
              o.alphabet_size);
  EMBER_CHECK(o.test_max_length == 0 ||
                  (o.test_max_length >= o.max_length && o.test_max_length <= kMaxLength),
              "[probing_corpus] test_max_length must be 0 or in [max_length, {}] = [{}, {}], got {}",
              kMaxLength, o.max_length, kMaxLength, o.test_max_length);
  EMBER_CHECK(!is_grammar_task(o.task) || o.test_max_length <= o.max_length,
              "[probing_corpus] {} takes no test_max_length ({} given): its distances are "
              "the grammar's, 1 to {}",
              o.task, o.test_max_length, o.max_length);
  const int64_t held_out = o.valid_size + o.test_size;
  if (is_grammar_task(o.task)) {
    const int64_t sentences = o.task == "agreement"
                                  ? agreement_sentence_count(o.min_length, 2 * held_out)
                                  : sense_sentence_count(o.min_length, 2 * held_out);
    EMBER_CHECK(sentences >= 2 * held_out,
                "[probing_corpus] the {} grammar has too few sentences of distance {} for "
                "{} distinct held-out examples (valid + test): raise min_length",
                o.task, o.min_length, held_out);
    return;
  }
  EMBER_CHECK(sequences_of_length(o.alphabet_size, o.min_length, 2 * held_out) >= 2 * held_out,
              "[probing_corpus] {} letters make too few sources of length {} for {} distinct "
              "held-out examples (valid + test): raise alphabet_size or min_length",
              o.alphabet_size, o.min_length, held_out);
}

std::vector<std::string> random_tokens(int64_t length, int64_t alphabet,
                                       core::Generator& generator) {
  std::vector<std::string> tokens(static_cast<size_t>(length));
  for (auto& token : tokens)
    token = std::string(1, static_cast<char>('a' + generator.randint(alphabet)));
  return tokens;
}

// `count` examples, example i in buckets[i % buckets.size()]; sources in `avoid` are drawn again,
// and the new sources join it when `hold_out`.
ParallelText make_split(const ProbingOptions& o, const std::vector<LengthBucket>& buckets,
                        int64_t count, bool hold_out, std::unordered_set<std::string>& avoid,
                        core::Generator& generator) {
  ParallelText text;
  text.source.reserve(static_cast<size_t>(count));
  text.target.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const LengthBucket& bucket = buckets[static_cast<size_t>(i) % buckets.size()];
    std::vector<std::string> tokens;
    std::string source;
    do {
      const int64_t length = bucket.first + generator.randint(bucket.last - bucket.first + 1);
      tokens = o.task == "agreement" ? make_agreement_source(length, generator)
               : o.task == "sense"   ? make_sense_source(length, generator)
                                     : random_tokens(length, o.alphabet_size, generator);
      source = join_words(tokens);
    } while (avoid.count(source) > 0);
    if (hold_out) avoid.insert(source);
    text.target.push_back(join_words(apply_probing_task(o.task, std::move(tokens))));
    text.source.push_back(std::move(source));
  }
  return text;
}

}  // namespace

const std::vector<std::string>& probing_tasks() {
  static const std::vector<std::string> tasks = {"copy", "reverse", "sort", "agreement", "sense"};
  return tasks;
}

bool is_grammar_task(const std::string& task) { return task == "agreement" || task == "sense"; }

std::string contrastive_twin(const std::string& task, const std::string& target) {
  EMBER_CHECK(is_grammar_task(task), "[probing_corpus] {} has no contrastive twin", task);
  return task == "agreement" ? agreement_wrong_target(target) : sense_wrong_target(target);
}

std::vector<LengthBucket> length_buckets(const ProbingOptions& options) {
  check_options(options);
  const int64_t lengths = options.max_length - options.min_length + 1;
  std::vector<LengthBucket> buckets;
  int64_t first = options.min_length;
  for (int64_t b = 0; b < options.num_buckets; ++b) {
    // The lengths split as evenly as integers allow; the remainder goes to the last buckets.
    const int64_t size = lengths / options.num_buckets +
                         (b >= options.num_buckets - lengths % options.num_buckets ? 1 : 0);
    buckets.push_back({first, first + size - 1});
    first += size;
  }
  for (int64_t last = options.max_length; last < options.test_max_length; last *= 2) {
    buckets.push_back({last + 1, std::min(2 * last, options.test_max_length)});
  }
  return buckets;
}

int64_t bucket_index(const std::vector<LengthBucket>& buckets, int64_t length) {
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (length >= buckets[b].first && length <= buckets[b].last) return static_cast<int64_t>(b);
  }
  return -1;
}

std::string bucket_label(const LengthBucket& bucket) {
  if (bucket.first == bucket.last) return std::to_string(bucket.first);
  return fmt::format("{}-{}", bucket.first, bucket.last);
}

std::vector<std::string> apply_probing_task(const std::string& task,
                                            std::vector<std::string> tokens) {
  EMBER_CHECK(is_task(task), "[probing_corpus] unknown task '{}' ({})", task,
              fmt::join(probing_tasks(), ", "));
  if (task == "reverse") std::reverse(tokens.begin(), tokens.end());
  if (task == "sort") std::sort(tokens.begin(), tokens.end());
  if (task == "agreement") return inflect_agreement(std::move(tokens));
  if (task == "sense") return translate_senses(std::move(tokens));
  return tokens;
}

int64_t probing_length(const std::string& task, const std::string& source) {
  if (task == "agreement") return agreement_facts(source).distance;
  if (task == "sense") return sense_facts(source).distance;
  int64_t words = 0;
  bool in_word = false;
  for (char c : source) {
    const bool space = c == ' ' || c == '\t';
    words += !space && !in_word;
    in_word = !space;
  }
  return words;
}

ProbingCorpus make_probing_corpus(const ProbingOptions& options) {
  const std::vector<LengthBucket> test_buckets = length_buckets(options);
  const std::vector<LengthBucket> trained_buckets(test_buckets.begin(),
                                                  test_buckets.begin() + options.num_buckets);
  core::Generator generator(options.seed);
  std::unordered_set<std::string> held_out;
  ProbingCorpus corpus;
  corpus.test = make_split(options, test_buckets, options.test_size, true, held_out, generator);
  corpus.valid =
      make_split(options, trained_buckets, options.valid_size, true, held_out, generator);
  corpus.train =
      make_split(options, trained_buckets, options.train_size, false, held_out, generator);
  return corpus;
}

}  // namespace ember::seq2seq
