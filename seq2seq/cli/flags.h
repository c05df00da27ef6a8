// FlagSet: the command-line flags of one `ember` subcommand — declared with the variable each one
// sets and a help line, parsed strictly (unknown flags, missing values and malformed numbers are
// errors), and listed by --help with their current values as defaults.
//
//   int64_t epochs = 10;
//   FlagSet flags("ember train", "Trains an encoder-decoder on parallel text.");
//   flags.add("--epochs", "N", "passes over the training data", &epochs);
//   ParsedArgs parsed = flags.parse({"--epochs", "3"});     // or "--epochs=3"
//   if (parsed.help) std::cout << flags.help();
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ember/seq2seq/enum_names.h"
#include "ember/seq2seq/train/parse_number.h"

namespace ember::seq2seq::cli {

struct ParsedArgs {
  bool help = false;                     // -h or --help was given (nothing else is applied then)
  std::vector<std::string> positionals;  // arguments that are not flags, in order
};

class FlagSet {
 public:
  FlagSet(std::string command, std::string summary);

  // A flag with a value: `set` receives the text after the flag (or after '='), and throws
  // ember::Error for a bad value; `current` shows the default in help (may be empty).
  void add_custom(const std::string& name, const std::string& value_name, const std::string& help,
                  std::function<void(const std::string&)> set,
                  std::function<std::string()> current = {});
  // Typed flags writing into *target (which must outlive the FlagSet).
  void add(const std::string& name, const std::string& value_name, const std::string& help,
           int64_t* target);
  void add(const std::string& name, const std::string& value_name, const std::string& help,
           float* target);
  void add(const std::string& name, const std::string& value_name, const std::string& help,
           double* target);
  void add(const std::string& name, const std::string& value_name, const std::string& help,
           std::string* target);
  // A string restricted to `choices`.
  void add_choice(const std::string& name, const std::string& help, std::string* target,
                  std::vector<std::string> choices);
  // An enum, by the names of its table (which must outlive the FlagSet).
  template <class E>
  void add_enum(const std::string& name, const std::string& help, E* target,
                const EnumNames<E>& names) {
    add_choice_of(
        name, help, names.names(),
        [target, &names](const std::string& v) { *target = names.parse(v); },
        [target, &names] { return std::string(names.name(*target)); });
  }
  // A comma-separated list ("A,B,.."); *seen (when given) records that the flag was used.
  void add_list(const std::string& name, const std::string& help, std::vector<std::string>* target,
                bool* seen = nullptr);
  // A switch without a value: sets *target to `value` when present.
  void add_switch(const std::string& name, const std::string& help, bool* target,
                  bool value = true);
  // A flag whose value must be one of `choices`, handed to `set` ("[flags] <name> expects one of
  // a|b, got 'c'"); `current` shows the default in help.
  void add_choice_of(const std::string& name, const std::string& help,
                     std::vector<std::string> choices, std::function<void(const std::string&)> set,
                     std::function<std::string()> current);

  // Parses the arguments after the subcommand. "--" ends the flags (the rest are positionals).
  // Throws "[flags]" naming the command and the flag for an unknown flag, a flag given twice, a
  // missing value, or a value its setter refuses; the message ends with a pointer to --help.
  ParsedArgs parse(const std::vector<std::string>& args) const;

  // "usage: <command> [flags]", the summary, then one line per flag.
  std::string help() const;
  const std::string& command() const { return command_; }

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty: a switch
    std::string help;
    std::function<void(const std::string&)> set;
    std::function<std::string()> current;
  };
  const Flag* find(const std::string& name) const;

  std::string command_;
  std::string summary_;
  std::vector<Flag> flags_;
};

// For the flags that must act before the others are applied (--quick, --config, --run-dir with
// --resume), both looking only before a "--": the value of `name` in args ("--name VALUE" or
// "--name=VALUE", "" when absent), and whether `name` is given at all ("--name" or
// "--name=VALUE").
std::string prescan_flag(const std::vector<std::string>& args, const std::string& name);
bool has_flag(const std::vector<std::string>& args, const std::string& name);

}  // namespace ember::seq2seq::cli
