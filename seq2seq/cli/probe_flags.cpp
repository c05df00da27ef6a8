// The flags of `ember probe`, each bound to a ProbeOptions field.
#include "ember/seq2seq/cli/probe_flags.h"

#include <algorithm>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/flags.h"
#include "ember/seq2seq/cli/log_flags.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Trains each model of the matched-size lineup on each probing task (copy, reverse and sort\n"
    "of random letter sequences, 5 to 100 tokens by default) with one recipe, scores its greedy\n"
    "outputs on the test split by source length bucket, and writes a report directory:\n"
    "probe.md (tables and what the figure shows), probe.svg (accuracy against length, one panel\n"
    "per task, one line per model), probe.csv, and the run directories under runs/.\n"
    "--agreement probes subject-verb agreement instead (data/agreement_grammar.h), --sense the\n"
    "choice of an ambiguous noun's sense by a cue noun (data/sense_grammar.h).";

}  // namespace

ProbeCommand parse_probe_command(const std::vector<std::string>& args) {
  ProbeCommand command;
  command.quick = has_flag(args, "--quick");
  lab::ProbeOptions& o = command.options;
  bool agreement = has_flag(args, "--agreement");
  bool sense = has_flag(args, "--sense");
  EMBER_CHECK(!(agreement && sense), "[ember probe] --agreement and --sense: one grammar at a time");
  o = agreement ? lab::grammar_defaults("agreement", command.quick)
      : sense   ? lab::grammar_defaults("sense", command.quick)
                : lab::probe_defaults(command.quick);
  bool all_models = false, models_given = false;
  int64_t seed = static_cast<int64_t>(o.corpus.seed);

  FlagSet flags("ember probe", kSummary);
  flags.add_switch("--quick", "the quick recipe: fewer sequences, 1200 updates a model",
                   &command.quick);
  flags.add("--out", "DIR", "report directory (default: runs/probe-<time>)", &command.out_dir);
  flags.add_list(
      "--aggregate",
      "instead of probing: mean ± std over these probe directories' probe.csv, into --out",
      &command.aggregate);
  flags.add_switch("--agreement",
                   "the agreement probe: subject-verb agreement past 0 to 7 distracting nouns, "
                   "scored contrastively (its buckets are distances 1..8)",
                   &agreement);
  flags.add_switch("--sense",
                   "the word-sense probe: an ambiguous noun translated by the sense a cue noun 1 "
                   "to 8 nouns away names, scored contrastively (its buckets are distances 1..8)",
                   &sense);
  flags.add_list("--tasks", "probing tasks (copy, reverse, sort; agreement or sense alone)",
                 &o.tasks);
  flags.add_list("--models",
                 "lineup models (lstm, lstm+dot, lstm+scaled_dot, lstm+general, lstm+additive, "
                 "convs2s, transformer)",
                 &o.models, &models_given);
  flags.add_switch("--all-models", "all seven lineup models", &all_models);
  flags.add_choice("--size", "lineup size", &o.size, {"tiny", "small"});
  flags.add("--steps", "N", "updates per model", &o.train.max_steps);
  flags.add("--time-limit", "SECONDS", "stop a model's training after this long (0: none)",
            &o.train.max_seconds);
  flags.add("--batch-tokens", "N", "tokens a batch (padding included)", &o.train.max_tokens);
  flags.add("--lr", "X", "learning rate", &o.train.lr);
  flags.add("--warmup", "N", "warmup updates", &o.train.warmup_steps);
  flags.add("--dropout", "P", "dropout of every model", &o.dropout);
  flags.add("--train-size", "N", "training sequences per task", &o.corpus.train_size);
  flags.add("--valid-size", "N", "validation sequences per task", &o.corpus.valid_size);
  flags.add("--test-size", "N", "test sequences per task", &o.corpus.test_size);
  flags.add("--min-length", "N", "shortest sequence (tokens)", &o.corpus.min_length);
  flags.add("--max-length", "N", "longest sequence (tokens)", &o.corpus.max_length);
  flags.add("--test-max-length", "N",
            "length extrapolation: test sources up to N tokens, past the trained --max-length "
            "(buckets up to 2x, 4x, ... the max)",
            &o.corpus.test_max_length);
  flags.add("--buckets", "N", "length buckets", &o.corpus.num_buckets);
  flags.add("--alphabet", "N", "letters the sequences are made of (2..26)",
            &o.corpus.alphabet_size);
  flags.add("--seed", "N", "seed of the corpora, the models and the batch order", &seed);
  add_log_flags(flags);
  command.help_text = flags.help();

  const ParsedArgs parsed = flags.parse(args);
  command.help = parsed.help;
  if (command.help) return command;
  EMBER_CHECK(parsed.positionals.empty(),
              "[flags] ember probe: unexpected argument '{}' (see 'ember probe --help')",
              parsed.positionals.empty() ? "" : parsed.positionals.front());
  EMBER_CHECK(!(all_models && models_given),
              "[flags] ember probe: give --models or --all-models, not both");
  if (all_models) o.models = lab::all_probe_models();
  EMBER_CHECK(seed >= 0, "[flags] ember probe: --seed must be >= 0, got {}", seed);
  o.corpus.seed = static_cast<uint64_t>(seed);
  o.train.seed = seed;
  o.train.eval_every = std::max<int64_t>(1, o.train.max_steps / 4);
  lab::validate(o);
  return command;
}

}  // namespace ember::seq2seq::cli
