// probe.md, probe.svg and probe.csv from the measured cells.
#include "ember/seq2seq/lab/probe_report.h"

#include <algorithm>
#include <string>
#include <filesystem>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/seq2seq/report/svg_plot.h"

namespace ember::seq2seq::lab {
namespace {

using Measure = std::vector<double> ProbeCell::*;

// The value as the report prints it (two decimals, as fmt rounds the double: 117/120 = 0.975 is
// "0.97"), so that models printed alike compare alike and the text agrees with the tables.
double printed(double v) { return std::stod(fmt::format("{:.2f}", v)); }

// Whether the probe is of a grammar task (agreement or sense, probed alone): its buckets are
// distances and its cells are also scored contrastively.
bool is_grammar(const ProbeResult& r) {
  return r.options.tasks.size() == 1 && is_grammar_task(r.options.tasks[0]);
}
bool is_agreement(const ProbeResult& r) { return is_grammar(r) && r.options.tasks[0] == "agreement"; }

// What the buckets divide, for headings and axes, and their plural in sentences.
const char* bucket_quantity(const ProbeResult& r) {
  if (!is_grammar(r)) return "source length";
  return is_agreement(r) ? "agreement distance" : "sense distance";
}
const char* bucket_plural(const ProbeResult& r) { return is_grammar(r) ? "distances" : "lengths"; }

// What a grammar task's distance counts, naming its grammar.
const char* distance_meaning(const ProbeResult& r) {
  return is_agreement(r) ? "nouns up to the verb (data/agreement_grammar.h)"
                         : "nouns from the ambiguous noun to its cue (data/sense_grammar.h)";
}

// "runs from 0.00 (lstm) to 0.97 (transformer, convs2s)", or "is 0.00 for every model".
std::string spread(const ProbeResult& r, const std::string& task, size_t bucket) {
  double low = 2.0, high = -1.0;
  for (const std::string& model : r.options.models) {
    const double v = printed(r.cell(task, model).exact[bucket]);
    low = std::min(low, v);
    high = std::max(high, v);
  }
  if (low == high) return fmt::format("is {:.2f} for every model", low);
  const auto at = [&](double value) {
    std::vector<std::string> names;
    for (const std::string& model : r.options.models) {
      if (printed(r.cell(task, model).exact[bucket]) == value) names.push_back(model);
    }
    return fmt::format("{:.2f} ({})", value, fmt::join(names, ", "));
  };
  return fmt::format("runs from {} to {}", at(low), at(high));
}

std::string model_line(const ProbeResult& r, const ProbeCell& c) {
  std::vector<std::string> passing;
  for (size_t b = 0; b < r.buckets.size(); ++b) {
    if (c.exact[b] >= 0.5) passing.push_back(bucket_label(r.buckets[b]));
  }
  std::string where = "in no bucket";
  if (passing.size() == r.buckets.size()) {
    where = "in every bucket";
  } else if (!passing.empty()) {
    where = fmt::format("in {}", fmt::join(passing, ", "));
  }
  const size_t last = r.buckets.size() - 1;
  if (last == 0) {
    return fmt::format("{}: exact match {:.2f} (0.5 or more {}); token accuracy {:.2f}.", c.model,
                       c.exact[0], where, c.tokens[0]);
  }
  std::string line = fmt::format(
      "{}: exact match {:.2f} at {} {} and {:.2f} at {} (0.5 or more {}); token accuracy "
      "{:.2f} and {:.2f}",
      c.model, c.exact[0], bucket_plural(r), bucket_label(r.buckets[0]), c.exact[last],
      bucket_label(r.buckets[last]), where, c.tokens[0], c.tokens[last]);
  if (!c.contrastive.empty()) {
    line += fmt::format("; the right {} preferred in {:.2f} and {:.2f}",
                        c.task == "agreement" ? "verb form" : "sense", c.contrastive[0],
                        c.contrastive[last]);
  }
  return line + ".";
}

std::string table_row(const std::vector<std::string>& cells) {
  return fmt::format("| {} |\n", fmt::join(cells, " | "));
}

// One row per cell: the measure by bucket and over the whole test split, with the costs of the
// run when asked.
std::string table(const ProbeResult& r, Measure measure, bool with_costs) {
  std::vector<std::string> head = {"task", "model"};
  if (with_costs) head.push_back("parameters");
  for (const LengthBucket& b : r.buckets) head.push_back(bucket_label(b));
  head.push_back("all");
  if (with_costs) head.insert(head.end(), {"updates", "training s", "CPU s"});
  std::vector<std::string> rule(head.size(), "---:");
  rule[0] = rule[1] = "---";
  std::string out = table_row(head) + table_row(rule);
  for (const ProbeCell& c : r.cells) {
    std::vector<std::string> cells = {c.task, c.model};
    if (with_costs) cells.push_back(std::to_string(c.parameters));
    for (double v : c.*measure) cells.push_back(fmt::format("{:.2f}", v));
    cells.push_back(fmt::format("{:.2f}", measure == &ProbeCell::exact    ? c.exact_all
                                          : measure == &ProbeCell::tokens ? c.tokens_all
                                                                          : c.contrastive_all));
    if (with_costs) {
      cells.insert(cells.end(), {std::to_string(c.steps), fmt::format("{:.0f}", c.train_seconds),
                                 fmt::format("{:.0f}", c.cpu_seconds)});
    }
    out += table_row(cells);
  }
  return out;
}

// The sentence on length extrapolation, when the test split reaches past the trained lengths.
std::string extrapolation(const ProbeResult& r) {
  const ProbingOptions& c = r.options.corpus;
  if (c.test_max_length <= c.max_length) return "";
  return fmt::format(
      " The buckets past {} tokens hold lengths no model was trained on (length extrapolation, "
      "up to {} tokens): the Transformer meets sinusoid positions it never saw, ConvS2S learned "
      "position vectors that were never updated.",
      c.max_length, c.test_max_length);
}

std::string setup(const ProbeResult& r) {
  const ProbeOptions& o = r.options;
  const TrainOptions& t = o.train;
  return fmt::format(
      "Each model of the matched-size lineup (size {}, lab/lineup.h; dropout {}) learns each task "
      "from {} training sequences of {} to {} {} (seed {}), for {} updates "
      "of {} tokens (padding included) with {} at learning rate {} after {} warmup updates "
      "({} schedule), keeping the checkpoint of best validation exact match ({} sequences). "
      "It then decodes the {} test sequences greedily ({} per bucket; none of them is in "
      "the training split) and scores them by {}.{} {} thread(s); the whole probe took "
      "{:.1f} min of wall time and {:.1f} min of CPU time.",
      o.size, o.dropout, o.corpus.train_size, o.corpus.min_length, o.corpus.max_length,
      is_grammar(r) ? std::string(distance_meaning(r))
                    : fmt::format("tokens over {} letters", o.corpus.alphabet_size),
      o.corpus.seed, t.max_steps, t.max_tokens, to_string(t.optimizer),
      t.lr, t.warmup_steps, to_string(t.schedule),
      t.eval_sentences > 0 ? std::min(t.eval_sentences, o.corpus.valid_size) : o.corpus.valid_size,
      o.corpus.test_size, o.corpus.test_size / static_cast<int64_t>(r.buckets.size()),
      bucket_quantity(r), extrapolation(r), r.threads,
      r.wall_seconds / 60.0, r.cpu_seconds / 60.0);
}

std::vector<double> bucket_middles(const std::vector<LengthBucket>& buckets) {
  std::vector<double> x;
  for (const LengthBucket& b : buckets) x.push_back(0.5 * static_cast<double>(b.first + b.last));
  return x;
}

void check_complete(const ProbeResult& r) {
  EMBER_CHECK(!r.interrupted, "[probe] the probe was interrupted: its results are incomplete");
  for (const std::string& task : r.options.tasks) {
    for (const std::string& model : r.options.models) {
      const ProbeCell& c = r.cell(task, model);
      EMBER_CHECK(c.exact.size() == r.buckets.size() && c.tokens.size() == r.buckets.size() &&
                      c.contrastive.size() == (is_grammar_task(task) ? r.buckets.size() : 0),
                  "[probe] the cell {} / {} has {} buckets, not {}", task, model, c.exact.size(),
                  r.buckets.size());
    }
  }
}

}  // namespace

std::vector<std::string> probe_findings(const ProbeResult& r) {
  check_complete(r);
  std::vector<std::string> lines;
  const size_t last = r.buckets.size() - 1;
  for (const std::string& task : r.options.tasks) {
    std::string line = fmt::format("{}: at {} {} exact match {}", task, bucket_plural(r),
                                   bucket_label(r.buckets[0]), spread(r, task, 0));
    if (last > 0) {
      line += fmt::format("; at {} {} it {}", bucket_plural(r), bucket_label(r.buckets[last]),
                          spread(r, task, last));
    }
    lines.push_back(line + ".");
    for (const std::string& model : r.options.models) {
      lines.push_back("  " + model_line(r, r.cell(task, model)));
    }
  }
  lines.push_back(fmt::format(
      "Each number comes from one training run per cell (seed {}, {} updates): this probe does "
      "not measure how much they move with another seed or a longer training.",
      r.options.train.seed, r.options.train.max_steps));
  return lines;
}

std::string probe_markdown(const ProbeResult& r, const std::string& command) {
  check_complete(r);
  std::string md = fmt::format("# Probing tasks: {} against {}\n\n",
                               fmt::join(r.options.tasks, ", "), bucket_quantity(r));
  md += fmt::format("Command: `{}`\n\n{}\n\n", command, setup(r));
  md += "## What the figure shows\n\n";
  md += fmt::format(
      "Sequence accuracy (exact match: the share of test sequences a model outputs exactly), by "
      "{} bucket:\n\n",
      bucket_quantity(r));
  for (const std::string& line : probe_findings(r)) {
    const size_t indent = line.find_first_not_of(' ');
    md += line.substr(0, indent) + "- " + line.substr(indent) + "\n";
  }
  md += fmt::format("\n![accuracy against {}, one panel per task](probe.svg)\n\n",
                    bucket_quantity(r));
  if (is_grammar(r)) {
    const bool agreement = is_agreement(r);
    md += fmt::format(
        "## {}, scored contrastively\n\n"
        "The share of test sentences whose target the model scores above the same target with "
        "{} (log P(target | source) by forced decoding), as {} score {}. 0.5 is chance.\n\n",
        agreement ? "Agreement" : "Word sense",
        agreement ? "the verb in the other number" : "the ambiguous noun in its other sense",
        agreement ? "Linzen et al. (2016) and Tang et al. (2018)" : "Tang et al. (2018)",
        agreement ? "agreement" : "word-sense disambiguation on ContraWSD");
    md += table(r, &ProbeCell::contrastive, false) + "\n";
  }
  md += fmt::format("## Exact match by {}\n\n", bucket_quantity(r)) +
        table(r, &ProbeCell::exact, true) + "\n";
  md +=
      "Training s: wall time of the run (set-up, updates and validation); CPU s: the CPU time "
      "of the process over the same span.\n\n";
  md += fmt::format("## Token accuracy by {}\n\n", bucket_quantity(r));
  md +=
      "The share of positions where the output holds the target's token, over the longer of "
      "the two, averaged over the bucket.\n\n" +
      table(r, &ProbeCell::tokens, false);
  return md;
}

std::string probe_figure(const ProbeResult& r) {
  check_complete(r);
  const std::vector<double> x = bucket_middles(r.buckets);
  std::vector<LineChart> charts;
  std::vector<std::pair<Measure, const char*>> measures = {{&ProbeCell::exact, "exact match"},
                                                           {&ProbeCell::tokens, "token accuracy"}};
  if (is_grammar(r)) measures.insert(measures.begin(), {&ProbeCell::contrastive, "contrastive"});
  for (const auto& [measure, name] : measures) {
    for (const std::string& task : r.options.tasks) {
      LineChart chart{.title = fmt::format("{}: {}", task, name),
                      .x_label = is_agreement(r) ? "agreement distance (nouns up to the verb)"
                                 : is_grammar(r)   ? "sense distance (nouns to the cue)"
                                                   : "source length (tokens, middle of each bucket)",
                      .y_label = name};
      for (const std::string& model : r.options.models) {
        chart.series.push_back({model, x, r.cell(task, model).*measure});
      }
      charts.push_back(std::move(chart));
    }
  }
  return svg_line_charts(charts, 720, 300);
}

std::string probe_csv(const ProbeResult& r) {
  check_complete(r);
  std::string csv = "task,model,bucket,first,last,count,exact,tokens,contrastive\n";
  for (const ProbeCell& c : r.cells) {
    for (size_t b = 0; b < r.buckets.size(); ++b) {
      csv += fmt::format("{},{},{},{},{},{},{:.6f},{:.6f},{}\n", c.task, c.model,
                         bucket_label(r.buckets[b]), r.buckets[b].first, r.buckets[b].last,
                         c.counts[b], c.exact[b], c.tokens[b],
                         c.contrastive.empty() ? "" : fmt::format("{:.6f}", c.contrastive[b]));
    }
  }
  return csv;
}

void write_probe_report(const ProbeResult& r, const std::string& dir, const std::string& command) {
  check_complete(r);
  std::filesystem::create_directories(dir);
  core::write_file_atomic(dir + "/probe.md", probe_markdown(r, command), "[probe]");
  core::write_file_atomic(dir + "/probe.svg", probe_figure(r), "[probe]");
  core::write_file_atomic(dir + "/probe.csv", probe_csv(r), "[probe]");
}

}  // namespace ember::seq2seq::lab
