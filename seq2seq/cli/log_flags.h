// --log-level LEVEL and --quiet, which every ember command takes: how much of the log (spdlog
// lines on stderr) is shown. Results go to stdout whatever the level.
//
//   FlagSet flags("ember eval", "...");
//   add_log_flags(flags);
//   flags.parse({"--log-level", "debug"});  // sets spdlog's level as it is parsed
#pragma once

#include <spdlog/common.h>

#include "ember/seq2seq/cli/flags.h"
#include "ember/seq2seq/enum_names.h"

namespace ember::seq2seq::cli {

// trace | debug | info | warn | error | off (spdlog's levels under these names).
const EnumNames<spdlog::level::level_enum>& log_level_names();

// --log-level LEVEL: log lines from LEVEL up (info, the default, shows progress and results;
// debug adds checkpoints; off shows none but the error that ends the program). --quiet is
// --log-level warn. Refused: an unknown level (listing the valid ones), and both flags at once.
void add_log_flags(FlagSet& flags);

}  // namespace ember::seq2seq::cli
