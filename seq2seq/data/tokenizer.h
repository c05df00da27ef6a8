// Tokenizer: text <-> ids. Every kind shares the special ids of vocab.h (<pad>=0 <unk>=1 <s>=2
// </s>=3), so models, batching and search never ask which tokenizer made the ids.
//
//   TokenizerOptions options{.kind = "bpe", .vocab_size = 8000};
//   auto tokenizer = train_tokenizer(options, corpus.target);   // on the training side
//   tokenizer->save(run_dir + "/tokenizer");                   // with the run
//   auto same = load_tokenizer(run_dir + "/tokenizer");
//   std::vector<int64_t> ids = same->encode("a sentence");     // no <s> or </s> added
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/seq2seq/data/vocab.h"

namespace ember::seq2seq {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual std::string kind() const = 0;    // "word", "char", "bpe" or "unigram"
  virtual int64_t vocab_size() const = 0;  // V: ids are in [0, V)

  // The ids of the text's pieces, without <s> or </s>; unknown pieces map to <unk>.
  virtual std::vector<int64_t> encode(std::string_view text) const = 0;
  // A prefix of `text` that encodes to the first n ids of encode(text) (the whole text when it
  // has no more than n pieces), found in time linear in the prefix: lines too long for a model
  // are cut or refused before they are tokenized whole. Exact for word (n words) and char (n code
  // points); bpe/unigram: see SentencePieceTokenizer::encode_prefix.
  virtual std::string_view encode_prefix(std::string_view text, int64_t n) const = 0;
  // The text of the ids. <pad>, <s> and </s> are dropped wherever they are; <unk> is written
  // "<unk>" (SentencePiece: its unk surface " ⁇ "). Throws "[tokenizer]" for an id outside
  // [0, V).
  virtual std::string decode(const std::vector<int64_t>& ids) const = 0;

  virtual int64_t id_of(std::string_view piece) const = 0;  // kUnkId for an unknown piece
  virtual std::string piece_of(int64_t id) const = 0;       // throws for an id outside [0, V)

  // Writes the tokenizer into `dir` (created if needed): tokenizer.json naming the kind, plus the
  // kind's own files. load_tokenizer(dir) reads it back.
  virtual void save(const std::string& dir) const = 0;
};

struct TokenizerOptions {
  std::string kind = "word";  // "word" | "char" | "bpe" | "unigram"
  // word/char: the largest vocabulary, specials included (0 = no bound). bpe/unigram: the size
  // SentencePiece trains for (smaller if the text cannot fill it).
  int64_t vocab_size = 8000;
  int64_t min_count = 1;                 // word/char: rarer pieces become <unk>
  double character_coverage = 1.0;       // bpe/unigram: share of characters kept (0.9995 for CJK)
  int64_t max_training_lines = 2000000;  // bpe/unigram: a larger text is sampled down to this
  // For a training run (seq2seq/train/run.h), not for train_tokenizer: one tokenizer trained on
  // both sides' text and used for both, so that a piece has the same id in source and target
  // (the copy mechanism needs that).
  bool shared = false;
  // For a training run too: the directory of another run whose tokenizers this run takes as they
  // are (fairseq's --srcdict/--tgtdict, Marian's --vocabs), with that run's tokenizer settings,
  // so that the two share their vocabularies (to ensemble them, or to distil one into the
  // other). Empty: train new ones.
  std::string from_run;
};

// The kinds train_tokenizer accepts, for help texts: {"word", "char", "bpe", "unigram"}.
const std::vector<std::string>& tokenizer_kinds();

// Trains a tokenizer of options.kind on `lines` (empty lines are ignored). Throws "[tokenizer]"
// for an unknown kind and when there is no text to train on.
std::unique_ptr<Tokenizer> train_tokenizer(const TokenizerOptions& options,
                                           const std::vector<std::string>& lines);

// Loads what Tokenizer::save wrote. Throws "[tokenizer]" naming the directory when it holds no
// tokenizer or an unknown kind; the kinds throw for their own corrupt files.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& dir);

// For the kinds' save(): creates `dir` and writes dir/tokenizer.json {"kind": kind}.
void write_tokenizer_manifest(const std::string& dir, const std::string& kind);

}  // namespace ember::seq2seq
