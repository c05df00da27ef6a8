// The command line of `ember probe`: the flags over a recipe of lab/probe.h (--quick picks the
// quick one, whatever its position), parsed and validated before anything is trained.
//
//   ProbeCommand command = parse_probe_command({"--quick", "--tasks", "copy,sort"});
//   if (command.help) print(command.help_text);
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/lab/probe.h"

namespace ember::seq2seq::cli {

struct ProbeCommand {
  lab::ProbeOptions options;
  std::string out_dir;  // --out; empty: the caller names a fresh directory
  bool quick = false;
  // --aggregate DIR,DIR,..: summarise these probes' probe.csv (lab/probe_aggregate.h) into
  // out_dir instead of running a probe; the recipe flags are then ignored.
  std::vector<std::string> aggregate = {};
  bool help = false;      // -h or --help: nothing else was applied
  std::string help_text;  // the flags and their defaults (those of the recipe chosen)
};

// Throws "[flags]" for an unknown flag, a bad value, a positional argument or --models given with
// --all-models, and validate(ProbeOptions)'s "[probe]" errors for the options the flags make.
// --steps also sets the validations to every quarter of the updates.
ProbeCommand parse_probe_command(const std::vector<std::string>& args);

}  // namespace ember::seq2seq::cli
