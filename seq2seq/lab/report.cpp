#include "ember/seq2seq/lab/report.h"

#include <cmath>
#include <filesystem>

#include "ember/core/atomic_file.h"
#include "ember/seq2seq/report/svg_plot.h"

namespace ember::seq2seq::lab {
namespace {

std::string seconds_or_not_reached(double seconds) {
  return std::isfinite(seconds) ? fmt::format("{:.1f}", seconds) : "not reached";
}

// The loss against training time, and its log10 (where the curves near 0 part).
std::vector<LineChart> loss_charts(const Comparison& c) {
  LineChart linear{.title = "validation loss against training time",
                   .x_label = "training time (s)",
                   .y_label = "validation loss (nats/token)"};
  LineChart log{.title = "the same, log10 of the loss",
                .x_label = "training time (s)",
                .y_label = "log10 validation loss"};
  for (const ContenderResult& r : c.contenders) {
    Series s{.name = r.name, .x = {}, .y = {}};
    Series l{.name = r.name, .x = {}, .y = {}};
    for (const LossPoint& p : r.curve) {
      s.x.push_back(p.train_seconds);
      s.y.push_back(p.valid_loss);
      l.x.push_back(p.train_seconds);
      l.y.push_back(std::log10(p.valid_loss));  // -inf at a loss of 0: left out
    }
    linear.series.push_back(std::move(s));
    log.series.push_back(std::move(l));
  }
  return {linear, log};
}

LineChart length_chart(const Comparison& c) {
  LineChart chart{.title = score_label(c.score_name) + " by source length (greedy, test)",
                  .x_label = "source tokens (mean of the bucket)",
                  .y_label = score_label(c.score_name)};
  for (const ContenderResult& r : c.contenders) {
    Series s{.name = r.name, .x = {}, .y = r.bucket_scores};
    for (const LengthBucket& b : c.buckets) s.x.push_back(b.mean_tokens);
    chart.series.push_back(std::move(s));
  }
  return chart;
}

std::string results_csv(const Comparison& c) {
  std::string out =
      "model,parameters,steps,train_tokens_per_s,train_seconds,wall_seconds,cpu_seconds,"
      "best_valid_loss,"
      "seconds_to_target," +
      c.score_name + "_greedy," + c.score_name +
      "_beam,greedy_sentences_per_s,beam_sentences_per_s\n";
  for (const ContenderResult& r : c.contenders)
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.name, r.parameters, r.steps,
                       r.tokens_per_s, r.train_seconds, r.wall_seconds, r.cpu_seconds,
                       r.best_valid_loss, r.seconds_to_target, r.greedy_score, r.beam_score,
                       r.greedy_sentences_per_s, r.beam_sentences_per_s);
  return out;
}

std::string curves_csv(const Comparison& c) {
  std::string out = "model,step,train_seconds,valid_loss\n";
  for (const ContenderResult& r : c.contenders)
    for (const LossPoint& p : r.curve)
      out += fmt::format("{},{},{},{}\n", r.name, p.step, p.train_seconds, p.valid_loss);
  return out;
}

}  // namespace

std::string score_label(const std::string& score_name) {
  if (score_name == "exact_match") return "exact match (%)";
  if (score_name == "bleu") return "BLEU";
  return score_name;
}

std::string data_line(const Comparison& c) {
  const DataConfig& d = c.options.run.data;
  if (d.builtin == "dates")
    return fmt::format("the built-in dates corpus ({} training, {} validation sentences)",
                       d.dates_train_size, d.dates_valid_size);
  if (!d.builtin.empty()) return fmt::format("the built-in {} corpus", d.builtin);
  return fmt::format("{} {} -> {}{}", d.dir, d.source_side, d.target_side,
                     d.tokenized ? " (pre-tokenized files)" : "");
}

std::string budget_line(const TrainOptions& t) {
  std::vector<std::string> limits;
  if (t.max_steps > 0) limits.push_back(fmt::format("{} updates", t.max_steps));
  if (t.max_seconds > 0.0) limits.push_back(fmt::format("{:g} s of training", t.max_seconds));
  limits.push_back(fmt::format("{} epochs", t.epochs));
  return fmt::format(
      "{} (whichever comes first), batches of {} tokens, {} lr {:g} ({}, {} warmup "
      "updates), label smoothing {:g}, an evaluation every {}",
      fmt::join(limits, " or "), t.max_tokens, to_string(t.optimizer), t.lr, to_string(t.schedule),
      t.warmup_steps, t.label_smoothing,
      t.eval_every > 0 ? fmt::format("{} updates", t.eval_every) : "epoch");
}

std::string report_table(const Comparison& c) {
  const std::string score = score_label(c.score_name);
  std::string out = fmt::format(
      "| model | parameters | train tokens/s | train time (s) | wall time (s) | CPU time (s) | "
      "time "
      "to valid loss {:g} (s) | {} greedy | {} beam {} | greedy sent/s | beam sent/s |\n",
      c.target_loss, score, score, c.options.beam_size);
  out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const ContenderResult& r : c.contenders)
    out += fmt::format(
        "| {} | {} | {:.0f} | {:.1f} | {:.1f} | {:.1f} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} "
        "|\n",
        r.name, r.parameters, r.tokens_per_s, r.train_seconds, r.wall_seconds, r.cpu_seconds,
        seconds_or_not_reached(r.seconds_to_target), r.greedy_score, r.beam_score,
        r.greedy_sentences_per_s, r.beam_sentences_per_s);
  return out;
}

std::string report_markdown(const Comparison& c) {
  const CompareOptions& o = c.options;
  std::string md = "# Comparison: LSTM, LSTM + attention, ConvS2S, Transformer\n\n";
  if (!o.command.empty()) md += fmt::format("```\n{}\n```\n\n", o.command);
  if (c.interrupted)
    md += fmt::format("**Interrupted** after {} of the contenders: the table holds those.\n\n",
                      c.contenders.size());
  md += fmt::format(
      "- data: {}; tokenizer {} (vocabularies {} source, {} target)\n"
      "- lineup: size {}, parameter counts matched within 10% of the LSTM's (seq2seq/lab/"
      "lineup.h)\n"
      "- training, the same for every model (same batches in the same order, seed {}): {}\n"
      "- test: the first {} sentence pairs of the '{}' split; beam search of width {}\n"
      "- the comparison took {:.0f} s of wall time\n\n",
      data_line(c), o.run.tokenizer.kind, c.src_vocab, c.tgt_vocab, o.size, o.run.train.seed,
      budget_line(o.run.train), c.test_sentences, o.run.data.test_split, o.beam_size,
      c.wall_seconds);
  md += report_table(c);
  md += fmt::format(
      "\ntrain tokens/s: target tokens per second of training (updates only); train time: the "
      "trainer's clock (updates only); wall time: the whole training run (with evaluations and "
      "checkpoints); CPU time: the process's CPU time over the training run (all threads; it does "
      "not grow when other programs compete for the CPU, the clocks do); time to valid loss {:g}: "
      "the training time at the first evaluation at or "
      "below it ({}); scores on the test split from the best checkpoint (by validation "
      "score); sent/s: test sentences decoded per second.\n\n",
      c.target_loss,
      c.target_automatic ? "chosen automatically: the highest of the models' lowest validation "
                           "losses, a level every model reaches"
                         : "fixed by the command");
  md += "## The models\n\n";
  for (const ContenderResult& r : c.contenders)
    md += fmt::format("- **{}**: {}; {} parameters; {} updates\n", r.name, r.summary, r.parameters,
                      r.steps);
  md += "\n## Validation loss against training time\n\n![validation loss](loss_vs_time.svg)\n\n";
  md += fmt::format("## {} by source length\n\n![by source length](score_by_length.svg)\n\n",
                    score_label(c.score_name));
  md += "| source tokens | sentences |";
  std::string rule = "| --- | ---: |";
  for (const ContenderResult& r : c.contenders) {
    md += fmt::format(" {} |", r.name);
    rule += " ---: |";
  }
  md += "\n" + rule + "\n";
  for (size_t b = 0; b < c.buckets.size(); ++b) {
    const LengthBucket& bucket = c.buckets[b];
    md += fmt::format("| {}-{} | {} |", bucket.min_tokens, bucket.max_tokens, bucket.sentences);
    for (const ContenderResult& r : c.contenders)
      md += fmt::format(" {:.1f} |", r.bucket_scores[b]);
    md += "\n";
  }
  md += fmt::format(
      "\n## Attention\n\nThe test sentence \"{}\", decoded greedily by each model "
      "with attention (rows: output tokens, columns: source tokens). The "
      "Transformer's map is its last decoder layer's cross-attention averaged over "
      "the heads; ConvS2S has one map per decoder layer.\n\n",
      c.attention_source);
  for (const ContenderResult& r : c.contenders)
    for (const AttentionFigure& f : r.attention)
      md += fmt::format("![{}]({})\n\n", f.heatmap.title, f.file);
  return md;
}

void write_report(const Comparison& c) {
  const std::filesystem::path dir = c.options.out_dir;
  std::filesystem::create_directories(dir);
  const auto write = [&dir](const std::string& file, const std::string& text) {
    core::write_file_atomic((dir / file).string(), text, "[compare]");
  };
  write("report.md", report_markdown(c));
  write("results.csv", results_csv(c));
  write("curves.csv", curves_csv(c));
  write("loss_vs_time.svg", svg_line_charts(loss_charts(c)));
  write("score_by_length.svg", svg_line_charts({length_chart(c)}));
  for (const ContenderResult& r : c.contenders)
    for (const AttentionFigure& f : r.attention) write(f.file, svg_heatmap(f.heatmap));
}

}  // namespace ember::seq2seq::lab
