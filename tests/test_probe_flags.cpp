// The command line of `ember probe` (seq2seq/cli/probe_flags.h): the recipes, the overrides and
// every refusal.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/probe_flags.h"

using namespace ember::seq2seq::lab;
using ember::seq2seq::cli::parse_probe_command;
using ember::seq2seq::cli::ProbeCommand;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("ember probe's flags: recipes, overrides and errors") {
  const ProbeCommand full = parse_probe_command({});
  const ProbeCommand quick = parse_probe_command({"--out", "x", "--quick"});
  CHECK_FALSE(full.quick);
  CHECK(quick.quick);
  CHECK(quick.out_dir == "x");
  CHECK(quick.options.train.max_steps < full.options.train.max_steps);
  CHECK(quick.options.corpus.train_size < full.options.corpus.train_size);
  CHECK(full.options.models == default_probe_models());
  CHECK(full.options.corpus.min_length == 5);
  CHECK(full.options.corpus.max_length == 100);

  const ProbeCommand set = parse_probe_command(
      {"--tasks", "sort,copy", "--all-models", "--steps", "40", "--seed=3", "--max-length", "50"});
  CHECK(set.options.tasks == std::vector<std::string>{"sort", "copy"});
  CHECK(set.options.models == all_probe_models());
  CHECK(set.options.train.max_steps == 40);
  CHECK(set.options.train.eval_every == 10);
  CHECK(set.options.train.seed == 3);
  CHECK(set.options.corpus.seed == 3);
  CHECK(set.options.corpus.max_length == 50);
  const ProbeCommand extrapolate =
      parse_probe_command({"--max-length", "25", "--test-max-length", "100"});
  CHECK(extrapolate.options.corpus.test_max_length == 100);
  CHECK(parse_probe_command({"--models=transformer,lstm+dot"}).options.models ==
        std::vector<std::string>{"transformer", "lstm+dot"});

  const ProbeCommand agreement = parse_probe_command({"--quick", "--agreement"});
  CHECK(agreement.options.tasks == std::vector<std::string>{"agreement"});
  CHECK(agreement.options.corpus.min_length == 1);
  CHECK(agreement.options.corpus.max_length == 8);
  CHECK(agreement.options.corpus.num_buckets == 8);
  CHECK(agreement.options.train.max_steps == quick.options.train.max_steps);
  const ProbeCommand sense = parse_probe_command({"--sense"});
  CHECK(sense.options.tasks == std::vector<std::string>{"sense"});
  CHECK(sense.options.corpus.max_length == 8);
  CHECK(sense.options.corpus.num_buckets == 8);

  const ProbeCommand aggregate = parse_probe_command({"--aggregate", "runs/a,runs/b", "--out", "agg"});
  CHECK(aggregate.aggregate == std::vector<std::string>{"runs/a", "runs/b"});
  CHECK(aggregate.out_dir == "agg");
  CHECK(parse_probe_command({}).aggregate.empty());

  const ProbeCommand help = parse_probe_command({"--help"});
  CHECK(help.help);
  CHECK(contains(help.help_text, "--all-models"));

  const auto fails = [](std::vector<std::string> args, const char* message) {
    CAPTURE(message);
    CHECK_THROWS_WITH_AS(parse_probe_command(args), doctest::Contains(message), ember::Error);
  };
  fails({"--tasks", "copy,count"}, "[probe] unknown task 'count'");
  fails({"--tasks", "copy,copy"}, "[probe] task 'copy' given twice");
  fails({"--agreement", "--tasks", "agreement,copy"}, "probe it alone");
  fails({"--agreement", "--sense"}, "one grammar at a time");
  fails({"--sense", "--test-max-length", "16"}, "sense takes no test_max_length");
  fails({"--models", "lstm,gru"}, "[probe] unknown model 'gru'");
  fails({"--models", "lstm", "--all-models"}, "not both");
  fails({"--size", "huge"}, "[flags] --size expects one of tiny|small");
  fails({"--steps", "ten"}, "[flags] --steps expects an integer");
  fails({"--steps", "0"}, "--steps must be >= 1");
  fails({"--seed", "-1"}, "--seed must be >= 0");
  fails({"--alphabet", "40"}, "[probing_corpus] alphabet_size");
  fails({"--min-length", "0"}, "[probing_corpus] lengths");
  fails({"--dropout", "1"}, "[probe] dropout");
  fails({"--test-max-length", "50"}, "[probing_corpus] test_max_length");
  fails({"--max-length", "200", "--test-max-length", "400"}, "lineup's 256 positions");
  fails({"--agreement", "--test-max-length", "16"}, "agreement takes no test_max_length");
  fails({"--lr", "0"}, "[trainer] lr");
  fails({"--epochs", "3"}, "[flags]");
  fails({"copy"}, "unexpected argument 'copy'");
}
