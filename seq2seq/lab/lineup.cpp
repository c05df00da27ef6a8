#include "ember/seq2seq/lab/lineup.h"

#include <cmath>
#include <cstdlib>
#include <map>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/seq2seq/models/factory.h"

namespace ember::seq2seq::lab {
namespace {

// One contender before its width is chosen: its preset and the grid its width w moves on.
struct Blueprint {
  std::string name;
  ModelConfig base;
  int64_t grid_step = 2;
};

// `base` at width w, the other widths following the preset's ratios (lineup.h).
ModelConfig at_width(const ModelConfig& base, int64_t w) {
  ModelConfig c = base;
  c.hidden_size = w;
  if (c.architecture == Architecture::kTransformer) {
    c.embedding_dim = w;
    c.feedforward_dim = 2 * w;
  } else {
    c.embedding_dim = std::max<int64_t>(1, w / 2);
  }
  return c;
}

// The grid point k (width k * grid_step, k >= 1) whose count is closest to `target`.
Contender match(const Blueprint& blueprint, int64_t target) {
  std::map<int64_t, int64_t> counts;  // k -> parameter count
  const auto count = [&](int64_t k) {
    auto it = counts.find(k);
    if (it == counts.end())
      it = counts.emplace(k, count_parameters(at_width(blueprint.base, k * blueprint.grid_step)))
               .first;
    return it->second;
  };
  const auto error = [&](int64_t k) { return std::llabs(count(k) - target); };

  // count(k) = a k^2 + b k + c exactly: fit it on k = 1, 2, 3 and solve count(k) = target.
  const auto c1 = static_cast<double>(count(1)), c2 = static_cast<double>(count(2)),
             c3 = static_cast<double>(count(3));
  const double a = (c3 - 2.0 * c2 + c1) / 2.0;
  const double b = c2 - c1 - 3.0 * a;
  const double c = c1 - a - b - static_cast<double>(target);
  double root = 1.0;
  if (a > 0.0)
    root = (-b + std::sqrt(std::max(0.0, b * b - 4.0 * a * c))) / (2.0 * a);
  else if (b > 0.0)
    root = -c / b;
  int64_t k = std::max<int64_t>(1, std::llround(root));

  // Walk to the closest grid point (the count grows with k, so the error has one minimum).
  while (k > 1 && error(k - 1) < error(k)) --k;
  while (error(k + 1) < error(k)) ++k;

  Contender out{blueprint.name, at_width(blueprint.base, k * blueprint.grid_step), count(k)};
  return out;
}

}  // namespace

int64_t count_parameters(const ModelConfig& config) {
  // Building draws the initial weights: keep the default generator where it was.
  core::Generator& generator = core::default_generator();
  const uint64_t seed = generator.seed(), counter = generator.counter();
  const int64_t n = make_model(config)->num_parameters();
  generator.set_state(seed, counter);
  return n;
}

std::vector<Contender> lineup(const std::string& size, int64_t src_vocab, int64_t tgt_vocab) {
  EMBER_CHECK(size == "tiny" || size == "small",
              "[lab] unknown lineup size '{}' (expected tiny or small)", size);
  EMBER_CHECK(src_vocab > 4 && tgt_vocab > 4,
              "[lab] vocabularies of {} and {} tokens: each needs the 4 special tokens and more",
              src_vocab, tgt_vocab);
  const auto from_preset = [&](Architecture architecture) {
    ModelConfig c = preset(architecture, size);
    c.src_vocab_size = src_vocab;
    c.tgt_vocab_size = tgt_vocab;
    c.max_positions = kLineupMaxPositions;
    c.cell = CellType::kLstm;
    return c;
  };

  std::vector<Contender> out;
  const ModelConfig reference = from_preset(Architecture::kRnn);
  out.push_back({"lstm", reference, count_parameters(reference)});
  const int64_t target = out.front().parameters;

  std::vector<Blueprint> blueprints;
  for (AttentionScore score : {AttentionScore::kDot, AttentionScore::kScaledDot,
                               AttentionScore::kGeneral, AttentionScore::kAdditive}) {
    ModelConfig c = from_preset(Architecture::kRnnAttention);
    c.attention = score;
    blueprints.push_back({std::string("lstm+") + to_string(score), c, 2});
  }
  blueprints.push_back({"convs2s", from_preset(Architecture::kConvS2S), 2});
  const ModelConfig transformer = from_preset(Architecture::kTransformer);
  blueprints.push_back({"transformer", transformer, transformer.num_heads});

  for (const Blueprint& blueprint : blueprints) {
    Contender contender = match(blueprint, target);
    const double ratio = static_cast<double>(contender.parameters) / static_cast<double>(target);
    EMBER_CHECK(std::abs(ratio - 1.0) <= 0.1,
                "[lab] {} at size {}: the closest width gives {} parameters, {:.1f}% off the "
                "reference's {} (more than 10%)",
                contender.name, size, contender.parameters, 100.0 * (ratio - 1.0), target);
    out.push_back(std::move(contender));
  }
  return out;
}

const std::vector<std::string>& lineup_names() {
  static const std::vector<std::string> names = {"lstm",         "lstm+dot",      "lstm+scaled_dot",
                                                 "lstm+general", "lstm+additive", "convs2s",
                                                 "transformer"};
  return names;
}

}  // namespace ember::seq2seq::lab
