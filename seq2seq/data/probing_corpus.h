// The probing corpora: synthetic tasks that isolate what an encoder-decoder can carry from the
// source to the target. A source is a random sequence of tokens; the target is
//   copy     the same sequence                   "q b x a f" -> "q b x a f"
//   reverse  the sequence backwards              "q b x a f" -> "f a x b q"
//   sort     the tokens in alphabetical order    "q b x a f" -> "a b f q x"
//   agreement  a sentence of a generated grammar whose verb agrees with a subject several nouns
//              back (data/agreement_grammar.h)
//              "the key to the cabinets be red ." -> "the key to the cabinets is red ."
//   sense      a sentence of a generated grammar whose ambiguous noun is translated by the sense
//              a cue noun several nouns away names (data/sense_grammar.h)
//              "the bank near the river is red ." -> "the shore near the river is red ."
// Copy needs the whole source carried to the decoder, reverse needs it read back to front, and
// sort needs every token counted, so the accuracy of a model against the length of the source
// shows where its way of reading the source (a hidden state, a receptive field, attention) fails.
// Agreement needs one fact (the subject's number) carried past distracting nouns, sense one fact
// (which sense the cue names) carried to the ambiguous noun; these grammar tasks' "length" is
// the distance in nouns (agreement: up to the verb, the subject included; sense: from the
// ambiguous noun to its cue), they are scored contrastively too, and they ignore alphabet_size.
//
// Tokens are single lowercase letters ("a", "b", ...: the first alphabet_size of the 26),
// written with spaces between them, so the word tokenizer reads one token per letter and the
// alphabetical order of the letters is the order sort asks for. Lengths (in tokens) are drawn
// from num_buckets equal-width buckets that cover [min_length, max_length]: example i of a split
// falls in bucket i % num_buckets, at a length uniform within it, so every split covers every
// bucket evenly. Nothing is read from disk, and the same options give the same corpus.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/seq2seq/data/parallel_corpus.h"

namespace ember::seq2seq {

struct ProbingOptions {
  std::string task = "copy";  // copy | reverse | sort | agreement | sense
  int64_t train_size = 20000;
  int64_t valid_size = 1000;
  int64_t test_size = 1000;
  int64_t min_length = 5;      // tokens, inclusive
  int64_t max_length = 100;    // tokens, inclusive
  int64_t num_buckets = 6;     // 5..100 in 6 buckets: 5-20, 21-36, 37-52, 53-68, 69-84, 85-100
  int64_t alphabet_size = 20;  // 2..26 letters
  // Length extrapolation: 0 (or max_length) draws the test split like train and valid. Longer,
  // the test split also holds sources never seen in training, in the buckets (L, 2L], (2L, 4L],
  // ... up to test_max_length (L = max_length), so a model trained up to L is read at 2L and 4L.
  int64_t test_max_length = 0;
  uint64_t seed = 1;
};

// The tasks, in this order: {"copy", "reverse", "sort", "agreement", "sense"}.
const std::vector<std::string>& probing_tasks();

// Whether a task is one of the grammar tasks (agreement, sense): buckets of distances, and a
// contrastive twin for each target.
bool is_grammar_task(const std::string& task);
// The wrong member of a grammar task's contrastive pair: the target with the verb in the other
// number (agreement_wrong_target) or the ambiguous noun in its other sense (sense_wrong_target).
// Throws "[probing_corpus]" for a task without one, and the grammar's error for a target without
// the word to swap.
std::string contrastive_twin(const std::string& task, const std::string& target);

// One length bucket: lengths first..last, both inclusive.
struct LengthBucket {
  int64_t first = 0;
  int64_t last = 0;
  bool operator==(const LengthBucket&) const = default;
};

// The buckets of the options: num_buckets consecutive ones covering [min_length, max_length],
// their sizes differing by at most one (the larger ones last), which train and valid draw from;
// then, when test_max_length > max_length, the extrapolation buckets (L, 2L], (2L, 4L], ... (the
// last one cut at test_max_length), which only the test split adds. Throws "[probing_corpus]"
// for invalid options (the checks of make_probing_corpus).
std::vector<LengthBucket> length_buckets(const ProbingOptions& options);
// The index of the bucket holding `length`, or -1 when no bucket does.
int64_t bucket_index(const std::vector<LengthBucket>& buckets, int64_t length);
// "5-20", or "7" for a bucket of one length.
std::string bucket_label(const LengthBucket& bucket);

// The target of a task for the source tokens. Throws "[probing_corpus]" for an unknown task.
std::vector<std::string> apply_probing_task(const std::string& task,
                                            std::vector<std::string> tokens);
// What the length buckets of a task divide: the source's tokens, or a grammar task's distance.
int64_t probing_length(const std::string& task, const std::string& source);

struct ProbingCorpus {
  ParallelText train;
  ParallelText valid;
  ParallelText test;
};

// The test split is drawn first, then valid, then train; a source already drawn for test or
// valid is drawn again, so that the held-out sources are distinct and none of them is trained on
// (train may repeat its own sources). Throws "[probing_corpus]" for an unknown task, sizes below
// train 1 / valid 0 / test 0, lengths outside 1 <= min_length <= max_length <= 1000, a bucket
// count outside [1, max_length - min_length + 1], an alphabet outside [2, 26], a test_max_length
// other than 0 outside [max_length, 1000] (or above max_length for a grammar task, whose distances
// the grammar bounds), or when the
// shortest sources have fewer than 2 * (valid_size + test_size) distinct values (the held-out
// sources could not be distinct).
ProbingCorpus make_probing_corpus(const ProbingOptions& options);

}  // namespace ember::seq2seq
