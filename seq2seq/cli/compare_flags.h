// The command line of `ember compare`: --quick (the built-in dates corpus and its recipe) or a
// corpus of files (--data DIR --src S --tgt T [--tokenized]), the lab's own flags, and the data,
// tokenizer and training flags of `ember train` applied over the chosen defaults.
//
//   CompareArgs parsed = parse_compare_args({"--quick", "--out", "runs/compare-quick"});
//   if (parsed.help) fmt::print("{}", parsed.help_text);
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/lab/compare.h"

namespace ember::seq2seq::cli {

struct CompareArgs {
  bool help = false;      // --help given: nothing else applied
  std::string help_text;  // the flags and their defaults (of the mode chosen)
  lab::CompareOptions options;
  // --report DIR,..: instead of training, the report over these result directories (or
  // directories of them; lab/lab_aggregate.h) into options.out_dir.
  std::vector<std::string> report = {};
};

// Parses the arguments after `ember compare` over quick_options() (with --quick) or
// full_options(). Pre-tokenized files score BLEU without re-tokenizing (--bleu-tokenize none)
// unless the flag says otherwise; out_dir stays empty unless --out gives it. Throws "[flags]"
// for an unknown or malformed flag, a positional argument, no data (neither --quick nor --data
// nor --builtin), --quick with other data, --data without both sides, --report with data; and
// validate()'s errors (an unknown --models name lists the lineup's).
CompareArgs parse_compare_args(const std::vector<std::string>& args);

}  // namespace ember::seq2seq::cli
