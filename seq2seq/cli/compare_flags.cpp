// The flags of `ember compare`: the mode (--quick or a corpus of files), the lab's own flags and
// those of `ember train`, over the chosen defaults.
#include "ember/seq2seq/cli/compare_flags.h"

#include "ember/core/error.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/cli/run_flags.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "The comparison lab: trains an LSTM encoder-decoder without attention, the same with each\n"
    "attention score (dot, scaled dot, general, additive), ConvS2S and a Transformer, with\n"
    "parameter counts matched within 10%, on the same data, tokenizer, batches and budget, and\n"
    "writes a report directory: report.md (parameters, training speed, time to a validation\n"
    "loss, test scores, decoding speed), loss-vs-time and score-by-length figures, attention\n"
    "heatmaps of one test sentence, and each model's run directory under runs/.\n\n"
    "Each model's small result files (result.json, curve.csv, samples.txt) go to\n"
    "results/<model>-s<seed>/; --report builds the mean ± std report over such directories\n"
    "(any models, any seeds). Under mpirun the models are dealt to the ranks, one at a time\n"
    "each, and rank 0 writes the report (docs/distributed.md).\n\n"
    "examples:\n"
    "  ember compare --quick               (built-in dates corpus, about 8 min of CPU time)\n"
    "  ember compare --data ../shared/data/multi30k --src de --tgt en --tokenized \\\n"
    "      --test-split test2016 --models transformer --seed 2 --out runs/lab-transformer-s2\n"
    "  ember compare --report docs/results/lab-m30k-small --out runs/lab-report";

}  // namespace

CompareArgs parse_compare_args(const std::vector<std::string>& args) {
  const bool quick = has_flag(args, "--quick");
  CompareArgs out;
  out.options = quick ? lab::quick_options() : lab::full_options();
  lab::CompareOptions& o = out.options;
  bool quick_flag = false;
  FlagSet flags("ember compare", kSummary);
  flags.add_switch("--quick", "the built-in dates corpus, tiny models, 3000 updates each",
                   &quick_flag);
  flags.add("--out", "DIR", "report directory (default: runs/compare-<time>)", &o.out_dir);
  flags.add_choice("--size", "lineup size", &o.size, {"tiny", "small"});
  flags.add_list("--models",
                 "the lineup's models to train (lstm, lstm-dot, lstm-scaled_dot, lstm-general, "
                 "lstm-additive, convs2s, transformer; default all)",
                 &o.models);
  flags.add_list("--report",
                 "instead of training: the mean ± std report over these result directories "
                 "(or directories of them), into --out",
                 &out.report);
  flags.add("--target-loss", "X", "validation loss the time-to column times (0: automatic)",
            &o.target_loss);
  flags.add("--beam", "K", "beam size of the test decoding", &o.beam_size);
  flags.add("--test-sentences", "N", "test sentences decoded (0: all)", &o.test_sentences);
  flags.add("--length-buckets", "N", "source-length buckets of the score figure",
            &o.length_buckets);
  add_data_flags(flags, o.run.data);
  add_tokenizer_flags(flags, o.run.tokenizer);
  add_train_flags(flags, o.run.train);
  add_log_flags(flags);
  const ParsedArgs parsed = flags.parse(args);
  if (parsed.help) {
    out.help = true;
    out.help_text = flags.help();
    return out;
  }
  EMBER_CHECK(parsed.positionals.empty(),
              "[flags] ember compare takes no positional arguments, got '{}' (see 'ember compare "
              "--help')",
              fmt::join(parsed.positionals, " "));
  o.command = "ember compare";
  for (const std::string& a : args) o.command += " " + a;
  const DataConfig& d = o.run.data;
  if (!out.report.empty()) {
    EMBER_CHECK(!quick && d.dir.empty() && d.builtin.empty(),
                "[flags] ember compare: --report reads result directories and trains nothing; "
                "drop --quick, --data and --builtin");
    return out;
  }
  EMBER_CHECK(!quick || (d.dir.empty() && d.builtin == "dates"),
              "[flags] ember compare: --quick uses the built-in dates corpus; drop --data or "
              "--builtin, or drop --quick");
  EMBER_CHECK(quick || !d.dir.empty() || !d.builtin.empty(),
              "[flags] ember compare: no data; give --quick, or --data DIR --src SIDE --tgt SIDE "
              "(see 'ember compare --help')");
  EMBER_CHECK(d.dir.empty() || (!d.source_side.empty() && !d.target_side.empty()),
              "[flags] ember compare: --data needs --src SIDE and --tgt SIDE (e.g. --src de "
              "--tgt en)");
  if (d.tokenized && !has_flag(args, "--bleu-tokenize")) o.run.train.bleu_tokenize = "none";
  lab::validate(o);
  return out;
}

}  // namespace ember::seq2seq::cli
