// Writes the seed corpora of the fuzz targets from real ember objects:
//   build-fuzz/fuzz/ember-fuzz-seeds fuzz/corpus
// fuzz/corpus/<target>/ is committed; run this again only when a format changes. Every file is
// small: libFuzzer takes the largest seed as its default -max_len.
#include <sentencepiece_trainer.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "fuzz/fuzz_util.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/train/run_config.h"

namespace fs = std::filesystem;
using namespace ember;

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::vector<std::string> kLines = {"the cat sat on the mat .",
                                         "a dog ran after the cat .",
                                         "zwei hunde laufen schnell .",
                                         "über den fluss , 3 march 1998",
                                         "1998-03-03",
                                         "tuesday , 3 march 1998"};

void safetensors_seeds(const fs::path& out) {
  core::SafeTensors st;
  st.floats["w"] = core::NDArray::from_vector({1.5f, -2.0f, 0.25f, 0.0f, 3.0f, -1.0f}, {2, 3});
  st.floats["scalar"] = core::NDArray::scalar(2.5f);
  st.floats["empty"] = core::NDArray::empty({0, 4});
  st.indices["ids"] = core::IndexArray({0, 7, -1}, {3});
  st.masks["mask"] = core::NDArray::from_vector({1.0f, 0.0f, 1.0f, 1.0f}, {2, 2});
  st.metadata = {{"format", "pt"}, {"note", "seed"}};
  fuzz::write_bytes(out / "mixed.safetensors", core::serialize_safetensors(st));
  core::SafeTensors one;
  one.floats["weight"] = core::NDArray::from_vector({1.0f, 2.0f}, {2});
  fuzz::write_bytes(out / "one.safetensors", core::serialize_safetensors(one));
  fuzz::write_bytes(out / "empty.safetensors", core::serialize_safetensors({}));
}

void checkpoint_seeds(const fs::path& out) {
  const fs::path dir = fuzz::scratch_dir("seeds");
  for (int steps : {0, 3}) {
    fuzz::TinyRun run;
    for (int i = 0; i < steps; ++i) run.step();
    run.state.epoch = steps / 2;
    run.state.extra = {{"best_loss", "0.5"}, {"batch_in_epoch", "1"}};
    const fs::path file = dir / "checkpoint.safetensors";
    optim::save_checkpoint(file.string(), run.state);
    fs::copy_file(file, out / ("tiny_step" + std::to_string(steps) + ".safetensors"),
                  fs::copy_options::overwrite_existing);
  }
}

void run_config_seeds(const fs::path& out) {
  seq2seq::RunConfig config;
  fuzz::write_bytes(out / "default.json", seq2seq::to_json_string(config));
  fuzz::write_bytes(out / "transformer.json",
                    R"({"model": {"preset": "tiny", "architecture": "transformer"},)"
                    R"( "tokenizer": {"kind": "bpe", "vocab_size": 500},)"
                    R"( "data": {"builtin": "dates"}})");
  fuzz::write_bytes(out / "small.json", R"({"train": {"lr": 0.002, "max_steps": 10}})");
}

void corpus_seeds(const fs::path& out) {
  std::string text;
  for (const std::string& line : kLines) text += line + "\n";
  fuzz::write_bytes(out / "lines.txt", text);
  fuzz::write_bytes(out / "crlf.txt", "one line\r\ntwo lines\r\n\r\nno newline at the end");
  const fs::path gz = fuzz::scratch_dir("seeds") / "lines.txt.gz";
  seq2seq::write_lines(gz.string(), kLines);
  fs::copy_file(gz, out / "lines.txt.gz", fs::copy_options::overwrite_existing);
}

// A SentencePiece model trained as ember trains one, but with the identity normalizer: the
// default nmt_nfkc rule stores a 240 KB character map in every model, too big for a seed.
std::string small_sentencepiece_model(const std::string& kind) {
  std::vector<std::string> lines;
  for (int i = 0; i < 20; ++i) lines.insert(lines.end(), kLines.begin(), kLines.end());
  const fs::path text = fuzz::scratch_dir("seeds") / "text.txt";
  seq2seq::write_lines(text.string(), lines);
  const fs::path prefix = fuzz::scratch_dir("seeds") / kind;
  const auto status = sentencepiece::SentencePieceTrainer::Train(
      "--input=" + text.string() + " --model_prefix=" + prefix.string() + " --model_type=" + kind +
      " --vocab_size=40 --hard_vocab_limit=false --normalization_rule_name=identity"
      " --pad_id=0 --unk_id=1 --bos_id=2 --eos_id=3 --minloglevel=2");
  EMBER_CHECK(status.ok(), "[seeds] sentencepiece: {}", status.ToString());
  return read_bytes(prefix.string() + ".model");
}

void tokenizer_seeds(const fs::path& out) {
  const std::string sep(fuzz::kSeparator);
  const std::string text = "the cat ran über 3 march";
  for (const std::string kind : {"word", "char"}) {
    const fs::path dir = fuzz::scratch_dir("seeds") / kind;
    seq2seq::train_tokenizer({.kind = kind, .vocab_size = 60}, kLines)->save(dir.string());
    fuzz::write_bytes(out / (kind + ".txt"), read_bytes(dir / "tokenizer.json") + sep +
                                                 read_bytes(dir / "vocab.json") + sep + sep + text);
  }
  for (const std::string kind : {"bpe", "unigram"}) {
    const std::string manifest = "{\"kind\":\"" + kind + "\"}\n";
    fuzz::write_bytes(out / (kind + ".txt"),
                      manifest + sep + sep + small_sentencepiece_model(kind) + sep + text);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ember-fuzz-seeds CORPUS_DIR (fuzz/corpus)\n");
    return 2;
  }
  const fs::path root = argv[1];
  try {
    const std::pair<const char*, void (*)(const fs::path&)> targets[] = {
        {"fuzz_safetensors", safetensors_seeds},
        {"fuzz_checkpoint", checkpoint_seeds},
        {"fuzz_run_config", run_config_seeds},
        {"fuzz_corpus", corpus_seeds},
        {"fuzz_tokenizer", tokenizer_seeds}};
    for (const auto& [name, make] : targets) {
      fs::create_directories(root / name);
      make(root / name);
    }
    fs::remove_all(fuzz::scratch_dir("seeds"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
