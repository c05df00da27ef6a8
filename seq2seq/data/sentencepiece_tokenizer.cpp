// SentencePiece training and encoding through its C++ API, the model kept in memory as the
// serialized proto (the same bytes as the .model file).
#include "ember/seq2seq/data/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <filesystem>
#include <iterator>
#include <unordered_map>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/regular_file.h"
#include "ember/seq2seq/data/text_file.h"

namespace ember::seq2seq {
namespace {

constexpr const char* kModelFile = "sentencepiece.model";
constexpr unsigned kSamplingSeed = 20240601;

// Feeds the non-empty lines to the trainer without writing them to a file.
class LineIterator : public sentencepiece::SentenceIterator {
 public:
  explicit LineIterator(const std::vector<std::string>& lines) : lines_(lines) { skip_empty(); }
  bool done() const override { return index_ >= lines_.size(); }
  void Next() override {
    ++index_;
    skip_empty();
  }
  const std::string& value() const override { return lines_[index_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void skip_empty() {
    while (index_ < lines_.size() && lines_[index_].empty()) ++index_;
  }
  const std::vector<std::string>& lines_;
  size_t index_ = 0;
};

std::string model_path(const std::string& dir) {
  return (std::filesystem::path(dir) / kModelFile).string();
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(std::string kind, std::string model,
                                               const std::string& origin)
    : kind_(std::move(kind)),
      model_(std::move(model)),
      processor_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
  sentencepiece::util::Status status;
  try {
    status = processor_->LoadFromSerializedProto(model_);
  } catch (const std::exception& e) {
    // SentencePiece reports most damage in its Status, but its trie builder (darts-clone) throws,
    // e.g. for a piece of zero length.
    throw Error(fmt::format("[sentencepiece] cannot load {}: {}", origin, e.what()));
  }
  EMBER_CHECK(status.ok(), "[sentencepiece] cannot load {}: {}", origin, status.ToString());
  const int pad = processor_->pad_id(), unk = processor_->unk_id();
  const int bos = processor_->bos_id(), eos = processor_->eos_id();
  EMBER_CHECK(pad == kPadId && unk == kUnkId && bos == kBosId && eos == kEosId,
              "[sentencepiece] {} has special ids pad={} unk={} bos={} eos={}; ember needs "
              "pad=0 unk=1 bos=2 eos=3",
              origin, pad, unk, bos, eos);
}

SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept = default;
SentencePieceTokenizer& SentencePieceTokenizer::operator=(SentencePieceTokenizer&&) noexcept =
    default;
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

SentencePieceTokenizer SentencePieceTokenizer::train(const std::vector<std::string>& lines,
                                                     const std::string& kind, int64_t vocab_size,
                                                     double character_coverage,
                                                     int64_t max_training_lines) {
  EMBER_CHECK(kind == "bpe" || kind == "unigram",
              "[sentencepiece] kind must be 'bpe' or 'unigram', got '{}'", kind);
  EMBER_CHECK(vocab_size > kNumSpecialTokens,
              "[sentencepiece] vocab_size must be more than the {} special tokens, got {}",
              kNumSpecialTokens, vocab_size);
  EMBER_CHECK(max_training_lines > 0, "[sentencepiece] max_training_lines must be > 0, got {}",
              max_training_lines);
  const std::unordered_map<std::string, std::string> args = {
      {"model_type", kind},
      {"vocab_size", std::to_string(vocab_size)},
      {"hard_vocab_limit", "false"},
      {"character_coverage", fmt::format("{}", character_coverage)},
      {"input_sentence_size", std::to_string(max_training_lines)},
      {"shuffle_input_sentence", "true"},
      {"pad_id", std::to_string(kPadId)},
      {"unk_id", std::to_string(kUnkId)},
      {"bos_id", std::to_string(kBosId)},
      {"eos_id", std::to_string(kEosId)},
      {"max_sentencepiece_length", "16"},  // kMaxPieceBytes relies on it
      {"minloglevel", "2"},
  };
  sentencepiece::SetRandomGeneratorSeed(kSamplingSeed);
  LineIterator iterator(lines);
  EMBER_CHECK(!iterator.done(), "[sentencepiece] no text to train on ({} lines, all empty)",
              lines.size());
  std::string model;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &iterator, &model);
  EMBER_CHECK(status.ok(), "[sentencepiece] training a {} model of {} pieces failed: {}", kind,
              vocab_size, status.ToString());
  return SentencePieceTokenizer(kind, std::move(model), "the trained model");
}

SentencePieceTokenizer SentencePieceTokenizer::load(const std::string& dir,
                                                    const std::string& kind) {
  const std::string path = model_path(dir);
  std::string model = core::read_regular_file(path, "[sentencepiece]");
  return SentencePieceTokenizer(kind, std::move(model), fmt::format("'{}'", path));
}

int64_t SentencePieceTokenizer::vocab_size() const { return processor_->GetPieceSize(); }

std::vector<int64_t> SentencePieceTokenizer::encode(std::string_view text) const {
  std::vector<int> pieces;
  const auto status = processor_->Encode(text, &pieces);
  EMBER_CHECK(status.ok(), "[sentencepiece] cannot encode: {}", status.ToString());
  return std::vector<int64_t>(pieces.begin(), pieces.end());
}

std::string_view SentencePieceTokenizer::encode_prefix(std::string_view text, int64_t n) const {
  if (n <= 0) return text.substr(0, 0);
  if (static_cast<uint64_t>(n) >= text.size() / kMaxPieceBytes + 1) return text;
  const size_t budget = static_cast<size_t>(n * kMaxPieceBytes);
  if (text.size() <= budget) return text;
  const size_t space = text.find(' ', budget);
  if (space != std::string_view::npos && space - budget <= budget) return text.substr(0, space);
  if (space == std::string_view::npos && text.size() - budget <= budget) return text;
  size_t cut = budget;  // back to the start of the character that holds byte `budget`
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

std::string SentencePieceTokenizer::decode(const std::vector<int64_t>& ids) const {
  std::vector<int> kept;
  kept.reserve(ids.size());
  for (int64_t id : ids) {
    EMBER_CHECK(id >= 0 && id < vocab_size(),
                "[tokenizer] id {} out of range for a {} vocabulary of {} pieces", id, kind_,
                vocab_size());
    if (id != kPadId && id != kBosId && id != kEosId) kept.push_back(static_cast<int>(id));
  }
  std::string text;
  const auto status = processor_->Decode(kept, &text);
  EMBER_CHECK(status.ok(), "[sentencepiece] cannot decode: {}", status.ToString());
  return text;
}

int64_t SentencePieceTokenizer::id_of(std::string_view piece) const {
  return processor_->PieceToId(piece);
}

std::string SentencePieceTokenizer::piece_of(int64_t id) const {
  EMBER_CHECK(id >= 0 && id < vocab_size(),
              "[tokenizer] id {} out of range for a {} vocabulary of {} pieces", id, kind_,
              vocab_size());
  return processor_->IdToPiece(static_cast<int>(id));
}

void SentencePieceTokenizer::save(const std::string& dir) const {
  write_tokenizer_manifest(dir, kind_);
  core::write_file_atomic(model_path(dir), model_, "[sentencepiece]");
}

}  // namespace ember::seq2seq
