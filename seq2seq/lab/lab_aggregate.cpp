// Result directories read back and summarised per model over seeds.
#include "ember/seq2seq/lab/lab_aggregate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "ember/core/atomic_file.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/core/regular_file.h"
#include "ember/seq2seq/lab/lineup.h"
#include "ember/seq2seq/lab/report.h"
#include "ember/seq2seq/report/svg_plot.h"

namespace ember::seq2seq::lab {
namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool holds_result(const fs::path& dir) { return fs::is_regular_file(dir / "result.json"); }

// The last evaluation at or before `update` (null when the first comes after it).
const LossPoint* at_update(const std::vector<LossPoint>& curve, int64_t update) {
  const LossPoint* found = nullptr;
  for (const LossPoint& p : curve)
    if (p.step <= update) found = &p;
  return found;
}

// An evaluation's training time: CPU time or the trainer's clock.
double training_time(const LossPoint& p, bool cpu_time) {
  return cpu_time ? p.train_cpu_seconds : p.train_seconds;
}

// Whether every evaluation of every run has its training's CPU time.
bool all_have_cpu_time(const std::vector<LabResult>& runs) {
  for (const LabResult& run : runs)
    for (const LossPoint& p : run.result.curve)
      if (!std::isfinite(p.train_cpu_seconds)) return false;
  return true;
}

// The lowest loss and highest score among the evaluations within `seconds` of training.
std::pair<double, double> best_within(const std::vector<LossPoint>& curve, double seconds,
                                      bool cpu_time) {
  double loss = kNaN, score = kNaN;
  for (const LossPoint& p : curve) {
    if (training_time(p, cpu_time) > seconds) break;
    if (std::isnan(loss) || p.valid_loss < loss) loss = p.valid_loss;
    if (std::isfinite(p.valid_score) && (std::isnan(score) || p.valid_score > score))
      score = p.valid_score;
  }
  return {loss, score};
}

// mean_std over the finite values (a run without the value leaves it out).
MeanStd finite_mean_std(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values)
    if (std::isfinite(v)) finite.push_back(v);
  return mean_std(finite);
}

// Runs of one recipe only: the first run is the reference.
void check_same_recipe(const LabResult& first, const LabResult& run) {
  const auto same = [&](bool equal, const char* what, const std::string& a, const std::string& b) {
    EMBER_CHECK(equal,
                "[lab_result] {} and {} are runs of different {} ({} -> {}): aggregate "
                "the runs of one recipe",
                first.file, run.file, what, a, b);
  };
  same(first.size == run.size, "lineup sizes", first.size, run.size);
  same(first.score_name == run.score_name, "scores", first.score_name, run.score_name);
  same(first.beam_size == run.beam_size, "beam sizes", std::to_string(first.beam_size),
       std::to_string(run.beam_size));
  const auto bounds = [](const LabResult& r) {
    std::vector<std::string> out;
    for (const LengthBucket& b : r.buckets)
      out.push_back(
          fmt::format("{}..{} tokens ({} sentences)", b.min_tokens, b.max_tokens, b.sentences));
    return fmt::format("{}", fmt::join(out, ", "));
  };
  same(bounds(first) == bounds(run), "test length buckets", bounds(first), bounds(run));
  if (first.recipe != run.recipe) {
    same(false, "recipes", "",
         fmt::format("{}", fmt::join(core::json_differences(first.recipe, run.recipe), ", ")));
  }
}

MeanCurve mean_curve(const std::string& model, const std::vector<const LabResult*>& runs) {
  MeanCurve curve{.model = model};
  for (const LossPoint& p : runs.front()->result.curve) {
    std::vector<double> seconds, losses, scores;
    for (const LabResult* run : runs) {
      const LossPoint* q = at_update(run->result.curve, p.step);
      if (q == nullptr || q->step != p.step) break;
      seconds.push_back(q->train_seconds);
      losses.push_back(q->valid_loss);
      scores.push_back(q->valid_score);
    }
    if (losses.size() != runs.size()) continue;  // not every seed evaluated here
    curve.updates.push_back(p.step);
    curve.train_seconds.push_back(mean_std(seconds).mean);
    curve.valid_loss.push_back(mean_std(losses));
    curve.valid_score.push_back(finite_mean_std(scores));
  }
  return curve;
}

// "mean ± std", or the value alone for one run, "" for none.
std::string cell(const MeanStd& m, int64_t runs, int digits = 2) {
  if (std::isnan(m.mean)) return "";
  if (runs == 1) return fmt::format("{:.{}f}", m.mean, digits);
  return fmt::format("{:.{}f} ± {:.{}f}", m.mean, digits, m.std, digits);
}

std::string table(const LabAggregate& t) {
  const std::string score = score_label(t.score_name);
  const bool valid_scores = std::any_of(t.models.begin(), t.models.end(), [](const auto& m) {
    return !std::isnan(m.score_at_updates.mean);
  });
  std::vector<std::string> head = {"model",
                                   "n",
                                   "seeds",
                                   "parameters",
                                   "updates",
                                   "train time (s)",
                                   "test " + score + " greedy",
                                   fmt::format("test {} beam {}", score, t.beam_size),
                                   fmt::format("valid loss at {} updates", t.common_updates)};
  if (valid_scores) head.push_back(fmt::format("valid {} at {} updates", score, t.common_updates));
  const std::string within = fmt::format("{:.1f} {}s", t.common_seconds, t.cpu_time ? "CPU " : "");
  head.push_back(fmt::format("best valid loss within {}", within));
  if (valid_scores) head.push_back(fmt::format("best valid {} within {}", score, within));
  std::string out = fmt::format("| {} |\n|", fmt::join(head, " | "));
  for (size_t i = 0; i < head.size(); ++i) out += i < 3 ? " --- |" : " ---: |";
  out += "\n";
  for (const ModelSummary& m : t.models) {
    const auto n = static_cast<int64_t>(m.seeds.size());
    std::vector<std::string> cells = {m.model,
                                      fmt::format("n={}", n),
                                      fmt::format("{}", fmt::join(m.seeds, ",")),
                                      std::to_string(m.parameters),
                                      cell(m.updates, n, 0),
                                      cell(m.train_seconds, n, 1),
                                      cell(m.greedy, n),
                                      cell(m.beam, n),
                                      cell(m.loss_at_updates, n, 3)};
    if (valid_scores) cells.push_back(cell(m.score_at_updates, n));
    cells.push_back(cell(m.best_loss_within_time, n, 3));
    if (valid_scores) cells.push_back(cell(m.best_score_within_time, n));
    out += fmt::format("| {} |\n", fmt::join(cells, " | "));
  }
  return out;
}

std::string figure(const LabAggregate& t) {
  LineChart by_updates{.title = "validation loss against updates (mean over seeds)",
                       .x_label = "updates",
                       .y_label = "validation loss (nats/token)"};
  LineChart by_time{.title = "validation loss against training time (mean over seeds)",
                    .x_label = "training time (s)",
                    .y_label = "validation loss (nats/token)"};
  LineChart score{.title = "validation " + score_label(t.score_name) + " against updates",
                  .x_label = "updates",
                  .y_label = score_label(t.score_name)};
  for (const MeanCurve& c : t.curves) {
    Series loss{.name = c.model, .x = {}, .y = {}}, timed = loss, scored = loss;
    for (size_t i = 0; i < c.updates.size(); ++i) {
      loss.x.push_back(static_cast<double>(c.updates[i]));
      loss.y.push_back(c.valid_loss[i].mean);
      timed.x.push_back(c.train_seconds[i]);
      timed.y.push_back(c.valid_loss[i].mean);
      scored.x.push_back(static_cast<double>(c.updates[i]));
      scored.y.push_back(c.valid_score[i].mean);  // NaN (left out) without validation scores
    }
    by_updates.series.push_back(std::move(loss));
    by_time.series.push_back(std::move(timed));
    score.series.push_back(std::move(scored));
  }
  return svg_line_charts({by_updates, by_time, score});
}

// The greedy test score per source-length bucket: one row per model, one column per bucket.
std::string by_length_table(const LabAggregate& t) {
  std::string out = "| model |";
  for (const LengthBucket& b : t.buckets)
    out += b.min_tokens == b.max_tokens
               ? fmt::format(" {} tokens ({} sentences) |", b.min_tokens, b.sentences)
               : fmt::format(" {}–{} tokens ({} sentences) |", b.min_tokens, b.max_tokens,
                             b.sentences);
  out += "\n| --- |";
  for (size_t b = 0; b < t.buckets.size(); ++b) out += " ---: |";
  out += "\n";
  for (const ModelSummary& m : t.models) {
    out += fmt::format("| {} |", m.model);
    for (const MeanStd& score : m.by_length)
      out += fmt::format(" {} |", cell(score, static_cast<int64_t>(m.seeds.size())));
    out += "\n";
  }
  return out;
}

// The same as a chart: each bucket at the middle of its token range.
std::string by_length_figure(const LabAggregate& t) {
  LineChart chart{
      .title = "greedy test " + score_label(t.score_name) + " by source length (mean over seeds)",
      .x_label = "source tokens (middle of the bucket)",
      .y_label = score_label(t.score_name)};
  for (const ModelSummary& m : t.models) {
    Series line{.name = m.model, .x = {}, .y = {}};
    for (size_t b = 0; b < t.buckets.size(); ++b) {
      line.x.push_back(0.5 *
                       static_cast<double>(t.buckets[b].min_tokens + t.buckets[b].max_tokens));
      line.y.push_back(m.by_length[b].mean);
    }
    chart.series.push_back(std::move(line));
  }
  return svg_line_charts({chart});
}

std::string number(double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); }

std::string results_csv(const LabAggregate& t) {
  std::string out =
      "model,runs,seeds,parameters,updates_mean,train_seconds_mean," + t.score_name +
      "_greedy_mean," + t.score_name + "_greedy_std," + t.score_name + "_beam_mean," +
      t.score_name +
      "_beam_std,common_updates,valid_loss_at_updates_mean,"
      "valid_loss_at_updates_std,valid_score_at_updates_mean,valid_score_at_updates_std,"
      "common_seconds,best_valid_loss_within_time_mean,best_valid_loss_within_time_std,"
      "best_valid_score_within_time_mean,best_valid_score_within_time_std,time_basis\n";
  for (const ModelSummary& m : t.models) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", m.model, m.seeds.size(),
        fmt::join(m.seeds, " "), m.parameters, number(m.updates.mean), number(m.train_seconds.mean),
        number(m.greedy.mean), number(m.greedy.std), number(m.beam.mean), number(m.beam.std),
        t.common_updates, number(m.loss_at_updates.mean), number(m.loss_at_updates.std),
        number(m.score_at_updates.mean), number(m.score_at_updates.std), t.common_seconds,
        number(m.best_loss_within_time.mean), number(m.best_loss_within_time.std),
        number(m.best_score_within_time.mean), number(m.best_score_within_time.std),
        t.cpu_time ? "cpu" : "clock");
  }
  return out;
}

std::string by_length_csv(const LabAggregate& t) {
  std::string out = "model,runs,min_tokens,max_tokens,sentences," + t.score_name + "_greedy_mean," +
                    t.score_name + "_greedy_std\n";
  for (const ModelSummary& m : t.models)
    for (size_t b = 0; b < t.buckets.size(); ++b)
      out += fmt::format("{},{},{},{},{},{},{}\n", m.model, m.seeds.size(), t.buckets[b].min_tokens,
                         t.buckets[b].max_tokens, t.buckets[b].sentences,
                         number(m.by_length[b].mean), number(m.by_length[b].std));
  return out;
}

std::string curves_csv(const LabAggregate& t) {
  std::string out =
      "model,update,train_seconds_mean,valid_loss_mean,valid_loss_std,valid_score_mean,"
      "valid_score_std\n";
  for (const MeanCurve& c : t.curves)
    for (size_t i = 0; i < c.updates.size(); ++i)
      out += fmt::format("{},{},{},{},{},{},{}\n", c.model, c.updates[i], c.train_seconds[i],
                         number(c.valid_loss[i].mean), number(c.valid_loss[i].std),
                         number(c.valid_score[i].mean), number(c.valid_score[i].std));
  return out;
}

// The attention maps in a run's directory (lab_result.h), ConvS2S's in layer order (layer2
// before layer10: shorter names first).
std::vector<fs::path> attention_maps(const LabResult& run) {
  std::vector<fs::path> maps;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(fs::path(run.file).parent_path())) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("attention-") && name.ends_with(".svg"))
      maps.push_back(entry.path());
  }
  std::sort(maps.begin(), maps.end(), [](const fs::path& a, const fs::path& b) {
    const std::string x = a.filename().string(), y = b.filename().string();
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  return maps;
}

// Copies each model's maps, from its lowest seed that has any, into dir and returns the report's
// section showing them side by side ("" when no run has a map).
std::string attention_section(const LabAggregate& t, const std::vector<LabResult>& runs,
                              const fs::path& dir) {
  std::string images;
  for (const ModelSummary& m : t.models) {
    const LabResult* shown = nullptr;
    for (const LabResult& run : runs)
      if (run.result.name == m.model && !attention_maps(run).empty() &&
          (shown == nullptr || run.seed < shown->seed))
        shown = &run;
    if (shown == nullptr) continue;
    for (const fs::path& map : attention_maps(*shown)) {
      const std::string file = map.filename().string();
      core::write_file_atomic((dir / file).string(),
                              core::read_regular_file(map.string(), "[lab_result]"),
                              "[lab_result]");
      // "attention-convs2s-layer2.svg" -> "convs2s-layer2 seed 1"
      const std::string stem = map.stem().string().substr(std::string("attention-").size());
      images += fmt::format("![{} seed {}]({}) ", stem, shown->seed, file);
    }
  }
  if (images.empty()) return "";
  images.pop_back();
  return "## Attention maps of one test sentence\n\nEvery run draws the same test sentence (the "
         "first of at least the 75th percentile of source length and at most 40 tokens), decoded "
         "greedily; shown here at each model's lowest seed that recorded it. Rows are the output "
         "tokens, columns the source tokens. The Transformer's map is its last decoder layer's "
         "cross-attention averaged over its heads, ConvS2S has one map per decoder layer, and "
         "the LSTM without attention has none.\n\n" +
         images + "\n\n";
}

}  // namespace

std::vector<LabResult> read_result_dirs(const std::vector<std::string>& dirs) {
  std::vector<LabResult> runs;
  for (const std::string& dir : dirs) {
    if (holds_result(dir)) {
      runs.push_back(read_lab_result(dir));
      continue;
    }
    EMBER_CHECK(fs::is_directory(dir),
                "[lab_result] {} is not a directory (expected a result directory of ember "
                "compare, or a directory of them)",
                dir);
    std::vector<fs::path> found;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && holds_result(entry.path())) found.push_back(entry.path());
    EMBER_CHECK(!found.empty(),
                "[lab_result] {} holds no result.json, nor any directory holding one", dir);
    std::sort(found.begin(), found.end());
    for (const fs::path& path : found) runs.push_back(read_lab_result(path.string()));
  }
  return runs;
}

LabAggregate aggregate_lab_results(const std::vector<LabResult>& runs) {
  EMBER_CHECK(!runs.empty(), "[lab_result] no run to aggregate");
  const LabResult& first = runs.front();
  LabAggregate t{.score_name = first.score_name,
                 .size = first.size,
                 .data = first.data,
                 .budget = first.budget,
                 .beam_size = first.beam_size,
                 .common_updates = std::numeric_limits<int64_t>::max(),
                 .common_seconds = std::numeric_limits<double>::infinity(),
                 .cpu_time = all_have_cpu_time(runs),
                 .buckets = first.buckets};
  for (size_t i = 0; i < runs.size(); ++i) {
    check_same_recipe(first, runs[i]);
    for (size_t j = 0; j < i; ++j)
      EMBER_CHECK(runs[j].result.name != runs[i].result.name || runs[j].seed != runs[i].seed,
                  "[lab_result] {} and {} are both {} at seed {}", runs[j].file, runs[i].file,
                  runs[i].result.name, runs[i].seed);
    t.common_updates = std::min(t.common_updates, runs[i].result.curve.back().step);
    t.common_seconds =
        std::min(t.common_seconds, training_time(runs[i].result.curve.back(), t.cpu_time));
  }
  for (const std::string& model : lineup_names()) {
    std::vector<const LabResult*> of_model;
    for (const LabResult& run : runs)
      if (run.result.name == model) of_model.push_back(&run);
    if (of_model.empty()) continue;
    ModelSummary m{.model = model, .parameters = of_model.front()->result.parameters};
    std::vector<double> updates, seconds, greedy, beam, loss_u, score_u, loss_t, score_t;
    std::vector<std::vector<double>> by_length(t.buckets.size());
    for (const LabResult* run : of_model) {
      const ContenderResult& r = run->result;
      m.seeds.push_back(run->seed);
      updates.push_back(static_cast<double>(r.steps));
      seconds.push_back(r.train_seconds);
      greedy.push_back(r.greedy_score);
      beam.push_back(r.beam_score);
      const LossPoint* at = at_update(r.curve, t.common_updates);
      loss_u.push_back(at != nullptr ? at->valid_loss : kNaN);
      score_u.push_back(at != nullptr ? at->valid_score : kNaN);
      const auto [loss, score] = best_within(r.curve, t.common_seconds, t.cpu_time);
      loss_t.push_back(loss);
      score_t.push_back(score);
      for (size_t b = 0; b < by_length.size(); ++b) by_length[b].push_back(r.bucket_scores[b]);
    }
    m.updates = mean_std(updates);
    m.train_seconds = mean_std(seconds);
    m.greedy = mean_std(greedy);
    m.beam = mean_std(beam);
    m.loss_at_updates = finite_mean_std(loss_u);
    m.score_at_updates = finite_mean_std(score_u);
    m.best_loss_within_time = finite_mean_std(loss_t);
    m.best_score_within_time = finite_mean_std(score_t);
    for (const std::vector<double>& scores : by_length)
      m.by_length.push_back(finite_mean_std(scores));
    t.models.push_back(std::move(m));
    t.curves.push_back(mean_curve(model, of_model));
  }
  return t;
}

void write_lab_aggregate(const LabAggregate& t, const std::vector<LabResult>& runs,
                         const std::string& dir, const std::string& command) {
  std::string md = "# The comparison lab over seeds: mean ± standard deviation\n\n";
  md += fmt::format("```\n{}\n```\n\n", command);
  md += fmt::format(
      "- data: {}; lineup size {}\n- training, the same for every run (but the seed): {}\n"
      "- {} runs of {} models; a cell is the mean ± the sample standard deviation over the "
      "model's seeds (n), the value alone for n=1\n\n",
      t.data, t.size, t.budget, runs.size(), t.models.size());
  md += table(t);
  md += fmt::format(
      "\nTest scores: each run's best checkpoint (by validation score) after its whole budget. "
      "Equal updates: the validation loss (and score) at update {}, the most every run reached. "
      "Equal time: the best validation loss (and score) among the evaluations within {:.1f} s "
      "of training (updates only, {}), the shortest training of any run; a model that trains "
      "faster gets more updates in that time (an empty cell: no evaluation of the model came "
      "within it).\n\n",
      t.common_updates, t.common_seconds,
      t.cpu_time ? "the process's CPU time, which does not count the time other programs held "
                   "the CPU"
                 : "the trainer's clock, which counts the time other programs held the CPU, so a "
                   "run on a shared core had fewer updates in it; results written before ember "
                   "recorded the CPU time at each evaluation have only the clock");
  md += "## Learning curves\n\n![learning curves](curves.svg)\n\n";
  if (!t.buckets.empty()) {
    md += fmt::format(
        "## Test {} by source length\n\nGreedy search, each run's best checkpoint, the test "
        "split cut into buckets of source length of about equal size:\n\n",
        score_label(t.score_name));
    md += by_length_table(t) + "\n![score by source length](by_length.svg)\n\n";
  }
  fs::create_directories(dir);
  md += attention_section(t, runs, dir);
  md +=
      "## The runs\n\n| model | seed | updates | train time (s) | date | machine | file |\n"
      "| --- | ---: | ---: | ---: | --- | --- | --- |\n";
  for (const LabResult& run : runs)
    md += fmt::format("| {} | {} | {} | {:.0f} | {} | {} | {} |\n", run.result.name, run.seed,
                      run.result.steps, run.result.train_seconds, run.date, run.machine, run.file);
  md += "\nThe command of each run:\n\n";
  for (const LabResult& run : runs)
    md += fmt::format("- {} seed {}: `{}`\n", run.result.name, run.seed, run.command);
  const auto write = [&dir](const char* file, const std::string& text) {
    core::write_file_atomic((fs::path(dir) / file).string(), text, "[lab_result]");
  };
  write("report.md", md);
  write("results.csv", results_csv(t));
  write("curves.csv", curves_csv(t));
  write("curves.svg", figure(t));
  if (!t.buckets.empty()) {
    write("by_length.csv", by_length_csv(t));
    write("by_length.svg", by_length_figure(t));
  }
}

}  // namespace ember::seq2seq::lab
