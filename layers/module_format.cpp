// Printing a Module as PyTorch's nn.Module.__repr__ does, plus parameter counts.
#include <cxxabi.h>

#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <ostream>
#include <typeinfo>

#include "ember/layers/module.h"

namespace ember::nn {
namespace {

// The C++ class name without namespaces or template arguments: "ModuleList" for
// ember::nn::ModuleList<ember::nn::TransformerEncoderLayer>, as torch prints type(m).__name__.
std::string class_name(const Module& module) {
  const char* mangled = typeid(module).name();
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string name = status == 0 ? demangled.get() : mangled;
  name = name.substr(0, name.find('<'));
  const size_t colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  lines.push_back(text.substr(start));
  return lines;
}

// torch's _addindent: every line but the first moved right by `spaces`.
std::string indent_rest(const std::string& text, int spaces) {
  std::string separator = "\n";
  separator.append(static_cast<size_t>(spaces), ' ');
  return fmt::format("{}", fmt::join(split_lines(text), separator));
}

std::string parameter_count(const Module& module) {
  const int64_t n = module.num_parameters();
  if (n == 0) return {};
  return fmt::format("  # {} parameter{}", n, n == 1 ? "" : "s");
}

}  // namespace

std::string Module::type_name() const { return class_name(*this); }

std::string Module::python_repr(bool value) { return value ? "True" : "False"; }

std::string Module::python_repr(float value) {
  std::string text = fmt::format("{}", value);  // the shortest text that reads back as value
  if (text.find_first_of(".en") == std::string::npos) text += ".0";  // "1" -> "1.0"; not "inf"
  return text;
}

// torch's nn.Module.__repr__: "Name(extra)" on one line when there are options and no
// submodules, otherwise the options' lines and then "(name): child" lines inside "Name(...)".
std::string to_string(const Module& module) {
  const std::string extra = module.extra_repr();
  std::vector<std::string> lines;
  if (!extra.empty()) lines = split_lines(extra);
  const bool one_line = lines.size() == 1 && module.children().empty();
  for (const auto& [name, child] : module.children())
    lines.push_back(fmt::format("({}): {}", name, indent_rest(to_string(*child), 2)));
  const std::string head = module.type_name() + "(";
  if (lines.empty()) return head + ")" + parameter_count(module);
  if (one_line) return head + lines[0] + ")" + parameter_count(module);
  return fmt::format("{}{}\n  {}\n)", head, parameter_count(module), fmt::join(lines, "\n  "));
}

std::ostream& operator<<(std::ostream& out, const Module& module) {
  return out << to_string(module);
}

}  // namespace ember::nn
