// What both benchmark programs share: the command line, timing, peak RSS and the `RESULT {json}`
// lines that bench/run.py reads. Plain C++ (no ember or torch include), so ember-bench and
// bench-libtorch link the same code.
//
// Interface of each program:
//   PROGRAM --workload NAME --threads N [--reps R] [--warmup W]
// prints one line per figure:
//   RESULT {"impl": "libtorch", "workload": "w1_tok", "threads": 2, "unit": "tokens/s",
//           "median": ..., "min": ..., "max": ..., "reps": 3, "warmup": 1, "maxrss_kb": ...,
//           "samples": [...], ...extra fields such as "flops_per_step" and "gflops"}
// and exits 0; 2 on a bad command line, 1 when the workload fails.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

struct Args {
  std::string workload;
  int threads = 1;
  int reps = 0;    // timed repetitions
  int warmup = 0;  // untimed runs before them
};

// Parses `--workload NAME --threads N [--reps R] [--warmup W]` (argv[0] is the program); reps and
// warmup default to the workload's (workloads.h). Throws std::invalid_argument on a bad line.
Args parse_args(int argc, const char* const* argv);
std::string usage(std::string_view program);

// Runs fn `warmup` times untimed, then `reps` times, and returns each timed run's seconds.
std::vector<double> time_reps(int warmup, int reps, const std::function<void()>& fn);

struct Summary {
  double median = 0;
  double min = 0;
  double max = 0;
};
Summary summarize(std::vector<double> values);

// Peak resident set size of this process so far (getrusage), in KiB.
long maxrss_kb();

// Figures from the seconds of each repetition: items per second, and microseconds per item.
std::vector<double> per_second(const std::vector<double>& seconds, double items);
std::vector<double> micros_per(const std::vector<double>& seconds, double items);

// One figure of a workload: the value of every timed repetition, in `unit`.
struct Result {
  std::string impl;      // "ember" or "libtorch"
  std::string workload;  // e.g. "w1_tok", "w6_512"
  int threads = 1;
  std::string unit;  // "tokens/s", "us/op", "GFLOP/s", ...
  std::vector<double> samples;
  int warmup = 0;
  std::vector<std::pair<std::string, double>> extra;  // more numeric fields
};

// The JSON object of a result, with median/min/max of its samples and the current peak RSS.
std::string to_json(const Result& result);
// Text fields added to every RESULT this process prints (ember-bench: the instruction set of its
// kernels and the library running its GEMM), e.g. {"isa", "avx512"}.
void set_result_labels(std::vector<std::pair<std::string, std::string>> labels);

// Prints "RESULT " + to_json(result) on stdout and flushes.
void print_result(const Result& result);

// Prints the RESULT `workload` with one sample of `items / seconds` per repetition, e.g.
// positions/s.
void print_rate(std::string_view impl, const Args& args, std::string_view workload,
                std::string_view unit, const std::vector<double>& seconds, double items);

// W1/W2: prints `name` in steps/s and `name`_tok in target tokens/s, both with flops_per_step and
// gflops (flops_per_step times the median steps/s, in GFLOP/s).
void print_training_results(std::string_view impl, std::string_view name, const Args& args,
                            const std::vector<double>& seconds, double tokens_per_step,
                            double flops_per_step);

// A workload runner: prints its RESULT lines.
using Runner = std::function<void(const Args&)>;

// A benchmark program's main: parses the command line, calls set_threads(args.threads), then the
// runner of the workload. Returns the exit status: 0; 1 when the runner throws or the workload has
// no runner; 2 on a bad command line.
int run_program(int argc, const char* const* argv, const std::function<void(int)>& set_threads,
                const std::map<std::string, Runner, std::less<>>& runners);

}  // namespace bench
