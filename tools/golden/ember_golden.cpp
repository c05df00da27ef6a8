// ember-golden: runs golden cases (../shared/golden/README.md) through ember and compares every
// output and gradient with PyTorch's reference under the case's tolerance.
//
//   ember-golden [--filter PREFIX]... PATH...
//
// PATH is a .safetensors case or a directory of them (run in sorted order; other files, such as
// manifest.json, are ignored). --filter keeps the cases whose op starts with one of the prefixes.
// Prints PASS/FAIL/SKIP per case and "N passed, N failed, N skipped"; exit status 0 when nothing
// failed, 1 when a case failed, 2 on bad usage or an unreadable PATH.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "tools/golden/golden_case.h"

namespace fs = std::filesystem;

namespace ember::golden {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::vector<std::string> filters;
  std::vector<fs::path> cases;
};

struct Tolerance {
  double atol;
  double rtol;
};

struct Counts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// Compared tensors (README section 2): output.*, grad.* and the optimizer states step<k>.p.
bool is_compared(const std::string& name) {
  if (name.starts_with("output.") || name.starts_with("grad.")) return true;
  if (!name.starts_with("step") || !name.ends_with(".p")) return false;
  const std::string k = name.substr(4, name.size() - 6);
  const auto digit = [](unsigned char ch) { return std::isdigit(ch) != 0; };
  return !k.empty() && std::all_of(k.begin(), k.end(), digit);
}

// Outputs first, then gradients, then optimizer steps: the first failure is usually the cause.
int compare_rank(const std::string& name) {
  if (name.starts_with("output.")) return 0;
  return name.starts_with("grad.") ? 1 : 2;
}

bool same_shape(const Shape& got, const Shape& ref) {
  const auto is_scalar = [](const Shape& s) { return s.empty() || s == Shape{1}; };
  return got == ref || (is_scalar(got) && is_scalar(ref));
}

// Why `got` does not match `ref` under |got - ref| <= atol + rtol |ref| (numpy.allclose), or
// nothing when it does. max_abs_err is over the tensor; tol is that of the worst violation.
std::optional<std::string> mismatch(const NDArray& got, const NDArray& ref, Tolerance tol) {
  if (!same_shape(got.shape(), ref.shape())) {
    return fmt::format("shape {} != reference {}", core::shape_str(got.shape()),
                       core::shape_str(ref.shape()));
  }
  const std::vector<float> g = got.to_vector();
  const std::vector<float> r = ref.to_vector();
  double max_err = 0.0;
  double worst_excess = 0.0;
  double worst_tol = 0.0;
  for (size_t i = 0; i < g.size(); ++i) {
    if (!std::isfinite(g[i])) return fmt::format("non-finite value {} at flat index {}", g[i], i);
    const double err = std::fabs(static_cast<double>(g[i]) - r[i]);
    const double allowed = tol.atol + tol.rtol * std::fabs(static_cast<double>(r[i]));
    max_err = std::max(max_err, err);
    if (err - allowed > worst_excess) {
      worst_excess = err - allowed;
      worst_tol = allowed;
    }
  }
  if (worst_excess <= 0.0) return std::nullopt;
  return fmt::format("max_abs_err={:.3g} tol={:.3g}", max_err, worst_tol);
}

Tolerance tolerance_of(const GoldenCase& c) {
  const auto get = [&](const char* key) {
    const auto it = c.data.metadata.find(key);
    EMBER_CHECK(it != c.data.metadata.end(), "[golden] {}: no '{}' in the metadata", c.name, key);
    return std::stod(it->second);
  };
  return {get("atol"), get("rtol")};
}

// "" when every compared tensor of the fixture matches, else the reason the case fails.
std::string check_results(const GoldenCase& c, const GoldenResults& results) {
  std::vector<std::string> names;
  for (const auto& [name, ref] : c.data.floats) {
    if (is_compared(name)) names.push_back(name);
  }
  std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return compare_rank(a) < compare_rank(b);
  });
  const Tolerance tol = tolerance_of(c);
  std::vector<std::string> failures;
  for (const auto& name : names) {
    const auto got = results.find(name);
    if (got == results.end() || !got->second.defined()) {
      failures.push_back(name + " missing from results");
    } else if (auto why = mismatch(got->second, c.data.floats.at(name), tol)) {
      failures.push_back(name + " " + *why);
    }
  }
  if (failures.empty()) return "";
  if (failures.size() == 1) return failures.front();
  return fmt::format("{} (+{} more failing)", failures.front(), failures.size() - 1);
}

bool selected(const std::string& op, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  return std::any_of(filters.begin(), filters.end(),
                     [&](const std::string& f) { return op.starts_with(f); });
}

void run_case(const fs::path& path, const Options& options, Counts& counts) {
  const std::string label = path.stem().string();
  GoldenCase c;
  try {
    c = load_case(path.string());
  } catch (const std::exception& e) {
    // An unreadable case is a failure of that case, whatever the filter.
    fmt::print("FAIL {} unreadable case: {}\n", label, e.what());
    ++counts.failed;
    return;
  }
  if (!selected(c.op, options.filters)) return;
  const GoldenRunner* runner = find_runner(c.op);
  if (runner == nullptr) {
    fmt::print("SKIP {} ({} not implemented)\n", label, c.op);
    ++counts.skipped;
    return;
  }
  std::string failure;
  try {
    failure = check_results(c, (*runner)(c));
  } catch (const std::exception& e) {
    failure = fmt::format("runner threw: {}", e.what());
  }
  if (failure.empty()) {
    fmt::print("PASS {}\n", label);
    ++counts.passed;
  } else {
    fmt::print("FAIL {} {}\n", label, failure);
    ++counts.failed;
  }
  std::fflush(stdout);
}

// The case files under `path`: itself, or the .safetensors files of a directory, sorted.
std::vector<fs::path> case_files(const fs::path& path) {
  if (!fs::is_directory(path)) return {path};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.is_regular_file() && entry.path().extension() == ".safetensors") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void usage(std::FILE* out) {
  fmt::print(out,
             "usage: ember-golden [--filter PREFIX]... PATH...\n"
             "  PATH             a golden case (.safetensors) or a directory of them\n"
             "  --filter PREFIX  run only the cases whose op starts with PREFIX (repeatable)\n");
}

// Parses argv; exits with kExitUsage on a bad command line or a PATH that cannot be read.
Options parse_args(int argc, char** argv) {
  Options options;
  int paths = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      usage(stdout);
      std::exit(0);
    } else if (arg == "--filter" && i + 1 < argc) {
      options.filters.emplace_back(argv[++i]);
    } else if (arg.starts_with("-")) {
      const bool no_prefix = arg == "--filter";
      fmt::print(stderr, "ember-golden: {}\n",
                 no_prefix ? "--filter needs a PREFIX" : fmt::format("bad option '{}'", arg));
      usage(stderr);
      std::exit(kExitUsage);
    } else {
      std::error_code error;
      const bool readable = fs::is_directory(arg, error) || std::ifstream(arg).good();
      if (!readable) {
        fmt::print(stderr, "ember-golden: cannot read '{}'\n", arg);
        std::exit(kExitUsage);
      }
      const std::vector<fs::path> files = case_files(arg);
      options.cases.insert(options.cases.end(), files.begin(), files.end());
      ++paths;
    }
  }
  if (paths == 0) {
    usage(stderr);
    std::exit(kExitUsage);
  }
  return options;
}

}  // namespace
}  // namespace ember::golden

int main(int argc, char** argv) {
  using namespace ember::golden;
  Options options;
  try {
    options = parse_args(argc, argv);
  } catch (const fs::filesystem_error& e) {
    fmt::print(stderr, "ember-golden: {}\n", e.what());
    return kExitUsage;
  }
  Counts counts;
  for (const auto& path : options.cases) run_case(path, options, counts);
  fmt::print("{} passed, {} failed, {} skipped\n", counts.passed, counts.failed, counts.skipped);
  return counts.failed > 0 ? kExitFailed : 0;
}
