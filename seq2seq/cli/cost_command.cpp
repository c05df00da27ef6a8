// ember cost: time and memory of one recurrent, convolutional and self-attention layer against
// the sequence length, with the complexities they are expected to follow (seq2seq/lab/
// layer_cost.h), written as a report directory (lab/layer_cost_report.h).
#include <spdlog/spdlog.h>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/data/text_file.h"
#include "ember/seq2seq/lab/layer_cost.h"
#include "ember/seq2seq/lab/layer_cost_report.h"
#include "ember/seq2seq/train/parse_number.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "Times one forward + backward pass of an LSTM layer, a convolution and multi-head\n"
    "self-attention at the same width, for each sequence length, and the memory each holds;\n"
    "writes cost.md (findings, Table 1 of Vaswani et al. 2017 with ember's constants, the\n"
    "measured table, the crossovers), cost.svg (log-log figures) and cost.csv.";

std::string command_line(const std::vector<std::string>& args) {
  std::string line = "ember cost";
  for (const std::string& a : args) line += " " + a;
  return line;
}

}  // namespace

int cost_command(const std::vector<std::string>& args) {
  lab::LayerCostOptions o;
  std::string out_dir;
  int64_t seed = static_cast<int64_t>(o.seed);
  FlagSet flags("ember cost", kSummary);
  flags.add("--out", "DIR", "report directory (default: runs/cost-<time>)", &out_dir);
  flags.add_custom(
      "--layers", "A,B,..", "layers to measure (lstm, conv, attention)",
      [&o](const std::string& v) {
        o.layers.clear();
        for (const std::string& name : split_fields(v, ',')) {
          o.layers.push_back(lab::mixing_layer_names().parse(name));
        }
      },
      [&o] {
        std::vector<std::string> names;
        for (lab::MixingLayer l : o.layers) names.emplace_back(lab::mixing_layer_name(l));
        return fmt::format("{}", fmt::join(names, ","));
      });
  flags.add_custom(
      "--lengths", "N,M,..", "sequence lengths, increasing",
      [&o](const std::string& v) {
        o.lengths.clear();
        for (const std::string& n : split_fields(v, ',')) {
          o.lengths.push_back(parse_int(n, "--lengths"));
        }
      },
      [&o] { return fmt::format("{}", fmt::join(o.lengths, ",")); });
  flags.add("--width", "D", "model width d of every layer", &o.width);
  flags.add("--batch", "B", "sequences per pass", &o.batch);
  flags.add("--heads", "H", "self-attention heads", &o.heads);
  flags.add("--kernel", "K", "convolution kernel width (odd)", &o.kernel);
  flags.add("--repeats", "N", "timed passes per point (the median is reported)", &o.repeats);
  flags.add("--warmup", "N", "untimed passes before them", &o.warmup);
  flags.add("--seed", "N", "seed of the parameters and inputs", &seed);
  add_log_flags(flags);
  if (!parse_command_flags(flags, args)) return 0;  // --help printed
  EMBER_CHECK(seed >= 0, "[flags] ember cost: --seed must be >= 0, got {}", seed);
  o.seed = static_cast<uint64_t>(seed);
  lab::validate(o);
  if (out_dir.empty()) out_dir = timestamped_dir("runs", "cost");

  spdlog::info("ember cost: d {}, batch {}, lengths {}, into {}", o.width, o.batch,
               fmt::join(o.lengths, ","), out_dir);
  lab::LayerCostRun run{.options = o, .command = command_line(args)};
  run.sgemm_gflops_before = lab::measure_sgemm_gflops();
  run.points = lab::measure_layer_cost(o, [](const lab::LayerCostPoint& p) {
    spdlog::info("{:>9} n {:>5}: {:8.2f} ms, {:7.1f} MiB, {:6.1f} GFLOP/s",
                 lab::mixing_layer_name(p.layer), p.length, p.median_seconds * 1e3,
                 static_cast<double>(p.peak_bytes) / (1024.0 * 1024.0), p.gflops_per_second);
  });
  run.sgemm_gflops_after = lab::measure_sgemm_gflops();
  spdlog::info("sgemm 1024: {:.1f} GFLOP/s before the layers, {:.1f} after",
               run.sgemm_gflops_before, run.sgemm_gflops_after);
  lab::write_layer_cost_report(run, out_dir);
  for (const std::string& line : lab::layer_cost_findings(run)) fmt::print("{}\n", line);
  fmt::print("\nreport: {}/cost.md, figure: {}/cost.svg\n", out_dir, out_dir);
  return 0;
}

}  // namespace ember::seq2seq::cli
