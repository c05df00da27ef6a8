#include "common/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>

#include "common/workloads.h"

namespace bench {

namespace {

int parse_int(std::string_view option, std::string_view text, int lowest) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < lowest) {
    throw std::invalid_argument(std::string(option) + " needs an integer >= " +
                                std::to_string(lowest) + ", got '" + std::string(text) + "'");
  }
  return value;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string json_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

}  // namespace

Args parse_args(int argc, const char* const* argv) {
  Args args;
  int reps = -1;
  int warmup = -1;
  bool has_threads = false;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view option = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument(std::string(option) + " needs a value");
    const std::string_view value = argv[i + 1];
    if (option == "--workload") {
      args.workload = value;
    } else if (option == "--threads") {
      args.threads = parse_int(option, value, 1);
      has_threads = true;
    } else if (option == "--reps") {
      reps = parse_int(option, value, 1);
    } else if (option == "--warmup") {
      warmup = parse_int(option, value, 0);
    } else {
      throw std::invalid_argument("unknown option '" + std::string(option) + "'");
    }
  }
  const WorkloadInfo* info = find_workload(args.workload);
  if (info == nullptr) {
    throw std::invalid_argument("unknown or missing --workload '" + args.workload + "'");
  }
  if (!has_threads) throw std::invalid_argument("--threads is required");
  args.reps = reps >= 0 ? reps : info->reps;
  args.warmup = warmup >= 0 ? warmup : info->warmup;
  return args;
}

std::string usage(std::string_view program) {
  std::string text = "usage: " + std::string(program) +
                     " --workload NAME --threads N [--reps R] [--warmup W]\nNAME:";
  for (const WorkloadInfo& w : all_workloads()) {
    text += ' ';
    text += w.name;
  }
  return text + '\n';
}

std::vector<double> time_reps(int warmup, int reps, const std::function<void()>& fn) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> seconds;
  seconds.reserve(reps);
  for (int i = 0; i < reps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    seconds.push_back(elapsed.count());
  }
  return seconds;
}

Summary summarize(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {median, values.front(), values.back()};
}

long maxrss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

std::vector<double> per_second(const std::vector<double>& seconds, double items) {
  std::vector<double> out;
  for (const double s : seconds) out.push_back(items / s);
  return out;
}

std::vector<double> micros_per(const std::vector<double>& seconds, double items) {
  std::vector<double> out;
  for (const double s : seconds) out.push_back(s * 1e6 / items);
  return out;
}

std::vector<std::pair<std::string, std::string>>& result_labels() {
  static std::vector<std::pair<std::string, std::string>> labels;
  return labels;
}

void set_result_labels(std::vector<std::pair<std::string, std::string>> labels) {
  result_labels() = std::move(labels);
}

std::string to_json(const Result& result) {
  const Summary summary = summarize(result.samples);
  std::string json =
      "{\"impl\": " + json_string(result.impl) + ", \"workload\": " + json_string(result.workload) +
      ", \"threads\": " + std::to_string(result.threads) +
      ", \"unit\": " + json_string(result.unit) + ", \"median\": " + json_number(summary.median) +
      ", \"min\": " + json_number(summary.min) + ", \"max\": " + json_number(summary.max) +
      ", \"reps\": " + std::to_string(result.samples.size()) +
      ", \"warmup\": " + std::to_string(result.warmup) +
      ", \"maxrss_kb\": " + std::to_string(maxrss_kb()) + ", \"samples\": [";
  for (size_t i = 0; i < result.samples.size(); ++i) {
    json += (i == 0 ? "" : ", ") + json_number(result.samples[i]);
  }
  json += "]";
  for (const auto& [key, value] : result.extra) {
    json += ", " + json_string(key) + ": " + json_number(value);
  }
  for (const auto& [key, value] : result_labels()) {
    json += ", " + json_string(key) + ": " + json_string(value);
  }
  return json + "}";
}

void print_result(const Result& result) { std::cout << "RESULT " << to_json(result) << std::endl; }

void print_rate(std::string_view impl, const Args& args, std::string_view workload,
                std::string_view unit, const std::vector<double>& seconds, double items) {
  print_result({.impl = std::string(impl),
                .workload = std::string(workload),
                .threads = args.threads,
                .unit = std::string(unit),
                .samples = per_second(seconds, items),
                .warmup = args.warmup,
                .extra = {}});
}

void print_training_results(std::string_view impl, std::string_view name, const Args& args,
                            const std::vector<double>& seconds, double tokens_per_step,
                            double flops_per_step) {
  const double gflops = flops_per_step * summarize(per_second(seconds, 1.0)).median / 1e9;
  const std::vector<std::pair<std::string, double>> extra = {{"flops_per_step", flops_per_step},
                                                             {"gflops", gflops}};
  print_result({.impl = std::string(impl),
                .workload = std::string(name),
                .threads = args.threads,
                .unit = "steps/s",
                .samples = per_second(seconds, 1.0),
                .warmup = args.warmup,
                .extra = extra});
  print_result({.impl = std::string(impl),
                .workload = std::string(name) + "_tok",
                .threads = args.threads,
                .unit = "tokens/s",
                .samples = per_second(seconds, tokens_per_step),
                .warmup = args.warmup,
                .extra = extra});
}

int run_program(int argc, const char* const* argv, const std::function<void(int)>& set_threads,
                const std::map<std::string, Runner, std::less<>>& runners) {
  if (argc == 2 && std::string_view(argv[1]) == "--help") {
    std::cout << usage(argv[0]);
    return 0;
  }
  Args args;
  try {
    args = parse_args(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n" << usage(argv[0]);
    return 2;
  }
  const auto runner = runners.find(args.workload);
  if (runner == runners.end()) {
    std::cerr << argv[0] << ": workload " << args.workload << " is not implemented\n";
    return 1;
  }
  try {
    set_threads(args.threads);
    runner->second(args);
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << args.workload << " failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace bench
