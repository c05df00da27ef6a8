// A contender's result directory: written from the comparison, read back strictly.
#include "ember/seq2seq/lab/lab_result.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "ember/core/atomic_file.h"
#include "ember/core/blas.h"
#include "ember/core/cpu_isa.h"
#include "ember/core/error.h"
#include "ember/core/json.h"
#include "ember/core/regular_file.h"
#include "ember/core/threads.h"
#include "ember/seq2seq/lab/lineup.h"
#include "ember/seq2seq/lab/report.h"
#include "ember/seq2seq/report/svg_plot.h"

namespace ember::seq2seq::lab {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "ember-lab-result-1";

// A number, or null for NaN (JSON has no NaN).
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The CPU's model name (Linux's /proc/cpuinfo), its kernels, matrix products and threads.
std::string machine_line() {
  std::string cpu = "unknown CPU";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  return fmt::format("{}; kernels {}; matrix products {}; {} threads", cpu,
                     core::isa_name(core::active_isa()), core::gemm_backend(), core::num_threads());
}

// The run config without what differs between the runs of one recipe: the seed and the model.
json recipe_of(json config) {
  config.erase("model");
  if (config.contains("train") && config["train"].is_object()) config["train"].erase("seed");
  return config;
}

std::string curve_csv(const std::string& score_name, const std::vector<LossPoint>& curve) {
  std::string out = "update,train_seconds,valid_loss,valid_" + score_name + ",train_cpu_seconds\n";
  const auto optional = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : ""; };
  for (const LossPoint& p : curve) {
    out += fmt::format("{},{},{},{},{}\n", p.step, p.train_seconds, p.valid_loss,
                       optional(p.valid_score), optional(p.train_cpu_seconds));
  }
  return out;
}

std::string samples_text(const std::vector<TestSample>& samples) {
  std::string out;
  for (size_t i = 0; i < samples.size(); ++i) {
    const TestSample& s = samples[i];
    out += fmt::format("[{}]\nsource:    {}\nreference: {}\ngreedy:    {}\nbeam:      {}\n\n",
                       i + 1, s.source, s.reference, s.greedy, s.beam);
  }
  return out;
}

// The strict reader's accessors: each names the file and the key.
class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("[lab_result] {}: {}", name_, what));
  }
  const json& at(const json& object, const char* key) const {
    if (!object.is_object() || !object.contains(key)) fail(fmt::format("no key '{}'", key));
    return object.at(key);
  }
  std::string text(const json& object, const char* key) const {
    const json& v = at(object, key);
    if (!v.is_string()) fail(fmt::format("'{}' must be a string", key));
    return v.get<std::string>();
  }
  int64_t integer(const json& object, const char* key, int64_t min) const {
    const json& v = at(object, key);
    if (!v.is_number_integer()) fail(fmt::format("'{}' must be an integer", key));
    const int64_t n = v.get<int64_t>();
    if (n < min) fail(fmt::format("'{}' is {}, must be >= {}", key, n, min));
    return n;
  }
  // A finite number >= 0; null gives NaN where `nullable`.
  double value(const json& object, const char* key, bool nullable = false) const {
    const json& v = at(object, key);
    if (nullable && v.is_null()) return kNotReached;
    if (!v.is_number()) fail(fmt::format("'{}' must be a number", key));
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < 0.0)
      fail(fmt::format("'{}' is {}, must be finite and >= 0", key, x));
    return x;
  }
  const json& array(const json& object, const char* key) const {
    const json& v = at(object, key);
    if (!v.is_array()) fail(fmt::format("'{}' must be an array", key));
    return v;
  }

 private:
  std::string name_;
};

}  // namespace

std::string result_dir(const std::string& out_dir, const std::string& model, int64_t seed) {
  return (std::filesystem::path(out_dir) / "results" / fmt::format("{}-s{}", slug(model), seed))
      .string();
}

void write_result_dir(const Comparison& c, const ContenderResult& r, const RunConfig& config,
                      const std::string& dir) {
  const CompareOptions& o = c.options;
  json curve = json::array();
  for (const LossPoint& p : r.curve) {
    curve.push_back({{"update", p.step},
                     {"train_seconds", p.train_seconds},
                     {"train_cpu_seconds", number(p.train_cpu_seconds)},
                     {"valid_loss", number(p.valid_loss)},
                     {"valid_score", number(p.valid_score)}});
  }
  json buckets = json::array();
  for (size_t b = 0; b < c.buckets.size() && b < r.bucket_scores.size(); ++b) {
    buckets.push_back({{"min_tokens", c.buckets[b].min_tokens},
                       {"max_tokens", c.buckets[b].max_tokens},
                       {"sentences", c.buckets[b].sentences},
                       {"greedy", number(r.bucket_scores[b])}});
  }
  const json result = {{"format", kFormat},
                       {"model", r.name},
                       {"summary", r.summary},
                       {"parameters", r.parameters},
                       {"seed", o.run.train.seed},
                       {"size", o.size},
                       {"score", c.score_name},
                       {"command", o.command},
                       {"date", utc_now()},
                       {"machine", machine_line()},
                       {"data", data_line(c)},
                       {"budget", budget_line(o.run.train)},
                       {"vocabularies", {{"source", c.src_vocab}, {"target", c.tgt_vocab}}},
                       {"config", core::parse_json(to_json_string(config), "[compare] run config")},
                       {"training",
                        {{"updates", r.steps},
                         {"train_seconds", r.train_seconds},
                         {"wall_seconds", r.wall_seconds},
                         {"cpu_seconds", r.cpu_seconds},
                         {"tokens_per_s", r.tokens_per_s},
                         {"best_valid_loss", number(r.best_valid_loss)}}},
                       {"test",
                        {{"split", o.run.data.test_split},
                         {"sentences", c.test_sentences},
                         {"beam_size", o.beam_size},
                         {"greedy", r.greedy_score},
                         {"beam", r.beam_score},
                         {"greedy_sentences_per_s", r.greedy_sentences_per_s},
                         {"beam_sentences_per_s", r.beam_sentences_per_s},
                         {"buckets", buckets}}},
                       {"curve", curve}};
  std::filesystem::create_directories(dir);
  const auto write = [&dir](const std::string& file, const std::string& text) {
    core::write_file_atomic((std::filesystem::path(dir) / file).string(), text, "[compare]");
  };
  write("result.json", result.dump(1) + "\n");
  write("curve.csv", curve_csv(c.score_name, r.curve));
  write("samples.txt", samples_text(r.samples));
  for (const AttentionFigure& f : r.attention) write(f.file, svg_heatmap(f.heatmap));
}

LabResult parse_lab_result(const std::string& text, const std::string& name) {
  const Reader in(name);
  const json root = core::parse_json(text, "[lab_result] " + name);
  if (!root.is_object()) in.fail("expected a JSON object");
  if (in.text(root, "format") != kFormat)
    in.fail(fmt::format("'format' is not '{}': not a result.json of ember compare", kFormat));
  LabResult out;
  out.file = name;
  ContenderResult& r = out.result;
  r.name = in.text(root, "model");
  const std::vector<std::string>& names = lineup_names();
  if (std::find(names.begin(), names.end(), r.name) == names.end())
    in.fail(
        fmt::format("model '{}' is not one of the lineup's ({})", r.name, fmt::join(names, ", ")));
  r.summary = in.text(root, "summary");
  r.parameters = in.integer(root, "parameters", 1);
  out.seed = in.integer(root, "seed", 0);
  out.size = in.text(root, "size");
  out.score_name = in.text(root, "score");
  if (out.score_name.empty()) in.fail("'score' is empty");
  out.command = in.text(root, "command");
  out.date = in.text(root, "date");
  out.machine = in.text(root, "machine");
  out.data = in.text(root, "data");
  out.budget = in.text(root, "budget");
  const json& config = in.at(root, "config");
  if (!config.is_object()) in.fail("'config' must be an object");
  out.recipe = recipe_of(config);

  const json& training = in.at(root, "training");
  r.steps = in.integer(training, "updates", 0);
  r.train_seconds = in.value(training, "train_seconds");
  r.wall_seconds = in.value(training, "wall_seconds");
  r.cpu_seconds = in.value(training, "cpu_seconds");
  r.tokens_per_s = in.value(training, "tokens_per_s");
  r.best_valid_loss = in.value(training, "best_valid_loss", true);

  const json& test = in.at(root, "test");
  out.test_sentences = in.integer(test, "sentences", 1);
  out.beam_size = in.integer(test, "beam_size", 1);
  r.greedy_score = in.value(test, "greedy");
  r.beam_score = in.value(test, "beam");
  r.greedy_sentences_per_s = in.value(test, "greedy_sentences_per_s");
  r.beam_sentences_per_s = in.value(test, "beam_sentences_per_s");
  for (const json& bucket : in.array(test, "buckets")) {
    const LengthBucket b{.min_tokens = in.integer(bucket, "min_tokens", 0),
                         .max_tokens = in.integer(bucket, "max_tokens", 0),
                         .sentences = in.integer(bucket, "sentences", 1)};
    if (b.max_tokens < b.min_tokens ||
        (!out.buckets.empty() && b.min_tokens <= out.buckets.back().max_tokens))
      in.fail(fmt::format("the length bucket {}..{} tokens is empty or overlaps the one before",
                          b.min_tokens, b.max_tokens));
    out.buckets.push_back(b);
    r.bucket_scores.push_back(in.value(bucket, "greedy", true));
  }

  for (const json& point : in.array(root, "curve")) {
    LossPoint p{.step = in.integer(point, "update", 1),
                .train_seconds = in.value(point, "train_seconds"),
                .valid_loss = in.value(point, "valid_loss"),
                .valid_score = in.value(point, "valid_score", true)};
    // Absent in results written before ember recorded it: those keep NaN.
    if (point.is_object() && point.contains("train_cpu_seconds"))
      p.train_cpu_seconds = in.value(point, "train_cpu_seconds", true);
    const LossPoint* before = r.curve.empty() ? nullptr : &r.curve.back();
    if (before != nullptr &&
        (p.step <= before->step || p.train_seconds < before->train_seconds ||
         p.train_cpu_seconds < before->train_cpu_seconds))
      in.fail(fmt::format(
          "the curve's evaluation at update {} comes after update {} (time {} after {}, CPU "
          "time {} after {}): evaluations must be in increasing order",
          p.step, before->step, p.train_seconds, before->train_seconds, p.train_cpu_seconds,
          before->train_cpu_seconds));
    r.curve.push_back(p);
  }
  if (r.curve.empty()) in.fail("the curve holds no evaluation");
  return out;
}

LabResult read_lab_result(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "result.json").string();
  return parse_lab_result(core::read_regular_file(path, "[lab_result]"), path);
}

}  // namespace ember::seq2seq::lab
