// ember score: scores hypothesis files against reference files with sacreBLEU's metrics (BLEU,
// chrF/chrF++, TER) and ROUGE; per-sentence scores, bootstrap confidence intervals and the paired
// bootstrap test between systems, printed as sacreBLEU prints them.
#include <spdlog/spdlog.h>

#include <optional>
#include <set>
#include <sstream>

#include "ember/core/error.h"
#include "ember/seq2seq/cli/commands.h"
#include "ember/seq2seq/cli/log_flags.h"
#include "ember/seq2seq/cli/score_output.h"
#include "ember/seq2seq/metrics/python_text.h"
#include "ember/seq2seq/metrics/scorer.h"
#include "ember/seq2seq/metrics/signature.h"
#include "ember/seq2seq/metrics/significance.h"

namespace ember::seq2seq::cli {
namespace {

constexpr const char* kSummary =
    "ember score REF [REF...] [--input HYP] [flags]\n\n"
    "Scores hypotheses against one or more reference files (the positional arguments, one\n"
    "reference per line each) with sacreBLEU 2.x's BLEU, chrF/chrF++ and TER, and with\n"
    "rouge-score's ROUGE-1/2/L; prints sacreBLEU's score lines and signatures. Lines are\n"
    "right-stripped as sacreBLEU reads them; an empty line is an empty segment.\n"
    "--input takes one file (\"-\": stdin) or, for --paired-bs, several separated by commas:\n"
    "the first is the baseline.\n\n"
    "examples:\n"
    "  ember score ref.txt --input hyp.txt --metrics bleu,chrf,ter\n"
    "  ember score ref.txt --input hyp.txt --metrics chrf --chrf-word-order 2 --confidence\n"
    "  ember score ref.txt --input base.txt,new.txt --paired-bs\n"
    "  ember score ref.txt --input hyp.txt --sentence-level";

struct ScoreFlags {
  std::string input = "-";
  std::string metrics = "bleu";
  std::string tokenize = "13a";
  std::string smooth_method = "exp";
  std::optional<double> smooth_value;  // empty: the method's default
  bool lowercase = false;
  int64_t chrf_char_order = 6, chrf_word_order = 0, chrf_beta = 2;
  bool chrf_whitespace = false, chrf_lowercase = false, chrf_eps_smoothing = false;
  bool ter_case_sensitive = false, ter_asian_support = false, ter_no_punct = false,
       ter_normalized = false;
  bool rouge_stem = false;
  bool sentence_level = false;
  bool confidence = false;
  int64_t confidence_n = 1000;
  bool paired_bs = false;
  int64_t paired_bs_n = 1000;
  int64_t seed = 12345;
  int64_t width = 1;
  bool score_only = false;
  std::string format = "text";
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) parts.push_back(part);
  if (!text.empty() && text.back() == ',') parts.emplace_back();
  return parts;
}

// The lines of a file ("-": stdin), right-stripped as sacreBLEU reads them.
std::vector<std::string> read_segments(const std::string& path) {
  std::vector<std::string> lines = read_input_lines(path);
  for (std::string& line : lines) line = std::string(python_text::rstrip(line));
  return lines;
}

MetricOptions metric_options(const ScoreFlags& f) {
  MetricOptions o;
  o.bleu.tokenize = bleu_tokenizer_from_name(f.tokenize);
  o.bleu.smooth = bleu_smoothing_from_name(f.smooth_method);
  o.bleu.smooth_value = f.smooth_value;
  o.bleu.lowercase = f.lowercase;
  o.bleu.effective_order = f.sentence_level;  // as sacreBLEU's --sentence-level
  o.chrf = {.char_order = static_cast<int>(f.chrf_char_order),
            .word_order = static_cast<int>(f.chrf_word_order),
            .beta = static_cast<int>(f.chrf_beta),
            .lowercase = f.chrf_lowercase,
            .whitespace = f.chrf_whitespace,
            .eps_smoothing = f.chrf_eps_smoothing};
  o.ter = {.normalized = f.ter_normalized,
           .no_punct = f.ter_no_punct,
           .asian_support = f.ter_asian_support,
           .case_sensitive = f.ter_case_sensitive};
  o.rouge.use_stemmer = f.rouge_stem;
  return o;
}

void check_flags(const ScoreFlags& f, size_t n_systems, size_t n_metrics) {
  EMBER_CHECK(f.width >= 0 && f.width <= 12,
              "[flags] ember score: --width must be in [0, 12], got {}", f.width);
  EMBER_CHECK(f.confidence_n >= 1 && f.paired_bs_n >= 1 && f.confidence_n <= 1000000 &&
                  f.paired_bs_n <= 1000000,
              "[flags] ember score: --confidence-n and --paired-bs-n must be in [1, 1000000], got "
              "{} and {}",
              f.confidence_n, f.paired_bs_n);
  EMBER_CHECK(f.chrf_char_order >= 0 && f.chrf_word_order >= 0 &&
                  f.chrf_char_order + f.chrf_word_order >= 1 && f.chrf_beta >= 0 &&
                  f.chrf_char_order <= 100 && f.chrf_word_order <= 100 && f.chrf_beta <= 100,
              "[flags] ember score: chrF orders must be in [0, 100] with at least one positive, "
              "and --chrf-beta in [0, 100]");
  if (f.sentence_level) {
    EMBER_CHECK(n_metrics == 1,
                "[flags] ember score: --sentence-level takes one metric (rouge is three), got {}",
                n_metrics);
    EMBER_CHECK(n_systems == 1, "[flags] ember score: --sentence-level takes one --input file");
    EMBER_CHECK(!f.confidence && !f.paired_bs,
                "[flags] ember score: --confidence and --paired-bs are not per sentence");
  }
  EMBER_CHECK(!f.paired_bs || n_systems >= 2,
              "[flags] ember score: --paired-bs needs two or more --input files (a,b,...)");
  EMBER_CHECK(f.format == "text" || (n_systems == 1 && !f.sentence_level && !f.score_only),
              "[flags] ember score: --format json is for the corpus scores of one system (without "
              "--score-only)");
  EMBER_CHECK(!f.confidence || n_systems == 1,
              "[flags] ember score: --confidence is for one system; use --paired-bs for several");
}

struct Metric {
  std::unique_ptr<SegmentMetric> metric;
  std::string signature;
};

MetricResult corpus_result(const SegmentMetric& metric, const SegmentStats& stats) {
  return metric.score(sum_stats(stats), stats.size());
}

ScoreOfStats score_of(const SegmentMetric& metric, size_t n_segments) {
  return [&metric, n_segments](const std::vector<double>& summed) {
    return metric.score(summed, n_segments).score;
  };
}

}  // namespace

int score_command(const std::vector<std::string>& args) {
  ScoreFlags f;
  FlagSet flags("ember score", kSummary);
  flags.add("--input", "FILE[,FILE...]", "hypotheses (\"-\": stdin); several for --paired-bs",
            &f.input);
  flags.add("--metrics", "LIST", "comma-separated: bleu, chrf, ter, rouge", &f.metrics);
  flags.add_choice("--tokenize", "BLEU tokenizer", &f.tokenize,
                   {"13a", "none", "intl", "char", "zh"});
  flags.add_choice("--smooth-method", "BLEU smoothing", &f.smooth_method,
                   {"exp", "floor", "add-k", "none"});
  flags.add_custom(
      "--smooth-value", "X", "for floor (default 0.1) and add-k (default 1)",
      [&f](const std::string& v) {
        const double value = parse_number(v, "--smooth-value");
        EMBER_CHECK(value >= 0.0 && value <= 1000.0, "--smooth-value must be in [0, 1000], got {}",
                    v);
        f.smooth_value = value;
      },
      [] { return std::string(); });
  flags.add_switch("--lowercase", "case-insensitive BLEU", &f.lowercase);
  flags.add("--chrf-char-order", "N", "chrF character n-gram order", &f.chrf_char_order);
  flags.add("--chrf-word-order", "N", "chrF word n-gram order (2: chrF++)", &f.chrf_word_order);
  flags.add("--chrf-beta", "N", "chrF recall weight", &f.chrf_beta);
  flags.add_switch("--chrf-whitespace", "keep whitespace in character n-grams", &f.chrf_whitespace);
  flags.add_switch("--chrf-lowercase", "case-insensitive chrF", &f.chrf_lowercase);
  flags.add_switch("--chrf-eps-smoothing", "chrF++.py's epsilon smoothing (not effective order)",
                   &f.chrf_eps_smoothing);
  flags.add_switch("--ter-case-sensitive", "case-sensitive TER", &f.ter_case_sensitive);
  flags.add_switch("--ter-asian-support", "TER: split CJK characters, remove CJK punctuation",
                   &f.ter_asian_support);
  flags.add_switch("--ter-no-punct", "TER: remove punctuation", &f.ter_no_punct);
  flags.add_switch("--ter-normalized", "TER: tercom's normalization and tokenization",
                   &f.ter_normalized);
  flags.add_switch("--rouge-stem", "ROUGE on Porter stems (rouge-score's use_stemmer)",
                   &f.rouge_stem);
  flags.add_switch("--sentence-level", "a score per line (one metric, one system)",
                   &f.sentence_level);
  flags.add_switch("--confidence", "95% confidence interval by bootstrap resampling",
                   &f.confidence);
  flags.add("--confidence-n", "N", "bootstrap resamples for --confidence", &f.confidence_n);
  flags.add_switch("--paired-bs", "paired bootstrap test of each system against the first",
                   &f.paired_bs);
  flags.add("--paired-bs-n", "N", "bootstrap resamples for --paired-bs", &f.paired_bs_n);
  flags.add("--seed", "N", "seed of the resampling", &f.seed);
  flags.add("--width", "N", "decimals of the scores", &f.width);
  flags.add_switch("--score-only", "print the scores alone", &f.score_only);
  flags.add_choice("--format", "text, or sacreBLEU's JSON (one system, corpus scores)", &f.format,
                   {"text", "json"});
  add_log_flags(flags);
  const ParsedArgs parsed = flags.parse(args);
  if (parsed.help) {
    fmt::print("{}", flags.help());
    return 0;
  }
  const std::vector<std::string>& ref_paths = parsed.positionals;
  EMBER_CHECK(!ref_paths.empty(),
              "[flags] ember score: give one or more reference files (see ember score --help)");
  const std::vector<std::string> inputs = split_commas(f.input);
  const std::vector<std::string> metric_names = split_commas(f.metrics);
  const MetricOptions options = metric_options(f);
  std::vector<Metric> metrics;
  std::set<std::string> seen;
  for (const std::string& name : metric_names) {
    EMBER_CHECK(seen.insert(name).second, "[flags] ember score: metric '{}' given twice", name);
    for (auto& m : make_metrics(name, options)) metrics.push_back({std::move(m), ""});
  }
  check_flags(f, inputs.size(), metrics.size());
  std::set<std::string> input_names;
  for (const std::string& input : inputs) {
    EMBER_CHECK(!input.empty(), "[flags] ember score: empty file name in --input '{}'", f.input);
    EMBER_CHECK(input_names.insert(input).second, "[flags] ember score: --input names '{}' twice",
                input);
    EMBER_CHECK(input != "-" || inputs.size() == 1,
                "[flags] ember score: stdin (\"-\") cannot be one of several --input files");
  }

  std::vector<std::vector<std::string>> refs;
  for (const std::string& path : ref_paths) refs.push_back(read_segments(path));
  std::vector<std::vector<std::string>> systems;
  for (const std::string& input : inputs) {
    systems.push_back(read_segments(input));
    const std::string name = input == "-" ? "<stdin>" : input;
    for (size_t k = 0; k < refs.size(); ++k)
      EMBER_CHECK(refs[k].size() == systems.back().size(),
                  "[score] {} has {} lines but reference {} has {}: they must match line by line",
                  name, systems.back().size(), ref_paths[k], refs[k].size());
  }
  EMBER_CHECK(!systems[0].empty(), "[score] {} has no lines to score", inputs[0]);

  const std::string nrefs = std::to_string(refs.size());
  const int width = static_cast<int>(f.width);
  const auto n_segments = systems[0].size();
  const std::string resampling = f.confidence ? fmt::format("bs:{}|seed:{}", f.confidence_n, f.seed)
                                 : f.paired_bs ? fmt::format("bs:{}|seed:{}", f.paired_bs_n, f.seed)
                                               : "";
  for (Metric& m : metrics)
    m.signature = make_signature(nrefs, m.metric->signature_fields(), resampling);

  if (f.sentence_level) {
    const Metric& m = metrics[0];
    const SegmentStats stats = corpus_stats(*m.metric, systems[0], refs);
    for (const auto& row : stats) {
      const MetricResult r = m.metric->score(row, 1);
      fmt::print("{}\n", score_line(m.metric->name(), m.signature, {r.score, r.details}, width,
                                    f.score_only));
    }
    return 0;
  }

  if (systems.size() == 1) {
    std::vector<std::string> lines;
    for (const Metric& m : metrics) {
      const SegmentStats stats = corpus_stats(*m.metric, systems[0], refs);
      const MetricResult r = corpus_result(*m.metric, stats);
      ScoreCell cell{r.score, r.details};
      if (f.confidence) {
        const MeanAndInterval est = estimate_ci(bootstrap_scores(
            stats, score_of(*m.metric, n_segments), f.confidence_n, static_cast<uint64_t>(f.seed)));
        cell.mean = est.mean;
        cell.ci = est.ci;
      }
      lines.push_back(f.format == "json"
                          ? score_json(m.metric->name(), m.signature, cell, width)
                          : score_line(m.metric->name(), m.signature, cell, width, f.score_only));
    }
    fmt::print("{}", f.format == "json" ? json_results(lines) : align_on_equals(lines));
    return 0;
  }

  spdlog::info("found {} systems", systems.size());
  std::vector<std::string> names, signatures;
  std::vector<std::vector<ScoreCell>> cells;
  for (const Metric& m : metrics) {
    names.push_back(m.metric->name());
    signatures.push_back(m.signature);
    auto& column = cells.emplace_back();
    std::vector<double> baseline_scores;
    double baseline_score = 0.0;
    for (size_t s = 0; s < systems.size(); ++s) {
      const SegmentStats stats = corpus_stats(*m.metric, systems[s], refs);
      const MetricResult r = corpus_result(*m.metric, stats);
      ScoreCell cell{r.score, ""};
      if (f.paired_bs) {
        spdlog::info("{}: {} on {} resamples", inputs[s], m.metric->name(), f.paired_bs_n);
        // Every system is resampled with the same seed, hence on the same resamples.
        std::vector<double> resampled = bootstrap_scores(
            stats, score_of(*m.metric, n_segments), f.paired_bs_n, static_cast<uint64_t>(f.seed));
        const MeanAndInterval est = estimate_ci(resampled);
        cell.mean = est.mean;
        cell.ci = est.ci;
        if (s == 0) {
          baseline_scores = std::move(resampled);
          baseline_score = r.score;
        } else {
          cell.p_value = paired_bootstrap_p_value(baseline_scores, resampled,
                                                  std::abs(baseline_score - r.score));
        }
      }
      column.push_back(cell);
    }
  }
  fmt::print("{}", systems_table(inputs, names, cells, signatures, width,
                                 f.paired_bs ? f.paired_bs_n : 0));
  return 0;
}

}  // namespace ember::seq2seq::cli
