// --log-level and --quiet: spdlog's level, set as the flag is parsed.
#include "ember/seq2seq/cli/log_flags.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "ember/core/error.h"

namespace ember::seq2seq::cli {

const EnumNames<spdlog::level::level_enum>& log_level_names() {
  static const EnumNames<spdlog::level::level_enum> names("[flags]", "log level",
                                                          {{"trace", spdlog::level::trace},
                                                           {"debug", spdlog::level::debug},
                                                           {"info", spdlog::level::info},
                                                           {"warn", spdlog::level::warn},
                                                           {"error", spdlog::level::err},
                                                           {"off", spdlog::level::off}});
  return names;
}

void add_log_flags(FlagSet& flags) {
  // The one of the two flags parsed so far: giving both is refused rather than one silently
  // overriding the other.
  auto given = std::make_shared<std::string>();
  const auto set_level = [given](const std::string& flag, const std::string& level) {
    EMBER_CHECK(given->empty() || *given == flag, "[flags] give {} or {}, not both", *given, flag);
    *given = flag;
    spdlog::set_level(log_level_names().parse(level));
  };
  flags.add_choice_of(
      "--log-level", "log lines shown on stderr, from this level up", log_level_names().names(),
      [set_level](const std::string& v) { set_level("--log-level", v); },
      [] { return std::string(log_level_names().name(spdlog::get_level())); });
  flags.add_custom("--quiet", "", "warnings and errors only (--log-level warn)",
                   [set_level](const std::string&) { set_level("--quiet", "warn"); });
}

}  // namespace ember::seq2seq::cli
