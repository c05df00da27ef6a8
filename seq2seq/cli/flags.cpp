// FlagSet: declaration, strict parsing and the help text.
#include "ember/seq2seq/cli/flags.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "ember/core/error.h"
#include "ember/seq2seq/data/text_file.h"

namespace ember::seq2seq::cli {
namespace {

// parse_number, also refusing what float cannot hold (1e300 would become inf).
float parse_float(const std::string& text, const std::string& what) {
  const double value = parse_number(text, what);
  EMBER_CHECK(std::fabs(value) <= std::numeric_limits<float>::max(),
              "[flags] {} expects a number within float's range (|x| <= {:g}), got '{}'", what,
              std::numeric_limits<float>::max(), text);
  return static_cast<float>(value);
}

}  // namespace

FlagSet::FlagSet(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void FlagSet::add_custom(const std::string& name, const std::string& value_name,
                         const std::string& help, std::function<void(const std::string&)> set,
                         std::function<std::string()> current) {
  EMBER_CHECK(name.size() > 2 && name.rfind("--", 0) == 0 && find(name) == nullptr,
              "[flags] {}: bad or repeated flag name '{}'", command_, name);
  flags_.push_back({name, value_name, help, std::move(set), std::move(current)});
}

void FlagSet::add(const std::string& name, const std::string& value_name, const std::string& help,
                  int64_t* target) {
  add_custom(
      name, value_name, help,
      [target, name](const std::string& v) { *target = parse_int(v, name); },
      [target] { return std::to_string(*target); });
}

void FlagSet::add(const std::string& name, const std::string& value_name, const std::string& help,
                  float* target) {
  add_custom(
      name, value_name, help,
      [target, name](const std::string& v) { *target = parse_float(v, name); },
      [target] { return fmt::format("{:g}", *target); });
}

void FlagSet::add(const std::string& name, const std::string& value_name, const std::string& help,
                  double* target) {
  add_custom(
      name, value_name, help,
      [target, name](const std::string& v) { *target = parse_number(v, name); },
      [target] { return fmt::format("{:g}", *target); });
}

void FlagSet::add(const std::string& name, const std::string& value_name, const std::string& help,
                  std::string* target) {
  add_custom(
      name, value_name, help, [target](const std::string& v) { *target = v; },
      [target] { return *target; });
}

void FlagSet::add_choice(const std::string& name, const std::string& help, std::string* target,
                         std::vector<std::string> choices) {
  add_choice_of(
      name, help, std::move(choices), [target](const std::string& v) { *target = v; },
      [target] { return *target; });
}

void FlagSet::add_choice_of(const std::string& name, const std::string& help,
                            std::vector<std::string> choices,
                            std::function<void(const std::string&)> set,
                            std::function<std::string()> current) {
  std::string value_name;
  for (const std::string& c : choices) value_name += (value_name.empty() ? "" : "|") + c;
  add_custom(
      name, value_name, help,
      [name, choices, value_name, set = std::move(set)](const std::string& v) {
        EMBER_CHECK(std::find(choices.begin(), choices.end(), v) != choices.end(),
                    "[flags] {} expects one of {}, got '{}'", name, value_name, v);
        set(v);
      },
      std::move(current));
}

void FlagSet::add_list(const std::string& name, const std::string& help,
                       std::vector<std::string>* target, bool* seen) {
  add_custom(
      name, "A,B,..", help,
      [target, seen](const std::string& v) {
        *target = split_fields(v, ',');
        if (seen) *seen = true;
      },
      [target] { return fmt::format("{}", fmt::join(*target, ",")); });
}

void FlagSet::add_switch(const std::string& name, const std::string& help, bool* target,
                         bool value) {
  add_custom(name, "", help, [target, value](const std::string&) { *target = value; });
}

const FlagSet::Flag* FlagSet::find(const std::string& name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

ParsedArgs FlagSet::parse(const std::vector<std::string>& args) const {
  ParsedArgs parsed;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "-h" || a == "--help") parsed.help = true;
  }
  if (parsed.help) return parsed;
  const std::string see = fmt::format("(see '{} --help')", command_);
  std::set<std::string> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      parsed.positionals.insert(parsed.positionals.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-' || a == "-") {
      parsed.positionals.push_back(a);
      continue;
    }
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const Flag* flag = find(name);
    EMBER_CHECK(flag != nullptr, "[flags] {}: unknown flag '{}' {}", command_, name, see);
    EMBER_CHECK(seen.insert(name).second, "[flags] {}: {} given twice {}", command_, name, see);
    std::string value;
    if (flag->value_name.empty()) {
      EMBER_CHECK(eq == std::string::npos, "[flags] {}: {} takes no value {}", command_, name, see);
    } else if (eq != std::string::npos) {
      value = a.substr(eq + 1);
    } else {
      EMBER_CHECK(i + 1 < args.size(), "[flags] {}: {} needs a value ({}) {}", command_, name,
                  flag->value_name, see);
      value = args[++i];
    }
    try {
      flag->set(value);
    } catch (const Error& e) {
      throw Error(fmt::format("{} {}", e.what(), see));
    }
  }
  return parsed;
}

std::string FlagSet::help() const {
  constexpr size_t kMaxWidth = 26;  // longer flag heads put their help on the next line
  std::string out = fmt::format("usage: {} [flags]\n\n{}\n\nflags:\n", command_, summary_);
  std::vector<std::string> heads;
  size_t width = 10;  // "-h, --help"
  for (const Flag& f : flags_) {
    heads.push_back(f.value_name.empty() ? f.name : f.name + " " + f.value_name);
    if (heads.back().size() <= kMaxWidth) width = std::max(width, heads.back().size());
  }
  for (size_t i = 0; i < flags_.size(); ++i) {
    const Flag& f = flags_[i];
    const std::string current = f.current ? f.current() : "";
    const std::string text = f.help + (current.empty() ? "" : fmt::format(" [{}]", current));
    if (heads[i].size() > width) {
      out += fmt::format("  {}\n  {:<{}}  {}\n", heads[i], "", width, text);
    } else {
      out += fmt::format("  {:<{}}  {}\n", heads[i], width, text);
    }
  }
  out += fmt::format("  {:<{}}  this help\n", "-h, --help", width);
  return out;
}

std::string prescan_flag(const std::vector<std::string>& args, const std::string& name) {
  for (size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] == name && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind(name + "=", 0) == 0) return args[i].substr(name.size() + 1);
  }
  return "";
}

bool has_flag(const std::vector<std::string>& args, const std::string& name) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == name || a.rfind(name + "=", 0) == 0) return true;
  }
  return false;
}

}  // namespace ember::seq2seq::cli
