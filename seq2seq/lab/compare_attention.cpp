#include "ember/seq2seq/lab/compare_attention.h"

#include "ember/autograd/grad_mode.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/convs2s.h"

namespace ember::seq2seq::lab {
namespace {

// A piece as a figure label: a space shows as "␣".
std::string label(const Tokenizer& tokenizer, int64_t id) {
  const std::string piece = tokenizer.piece_of(id);
  return piece == " " ? "␣" : piece;
}

// The emittable token (never <pad> or <s>) of highest log-probability in row (V).
int64_t best_token(const NDArray& logp) {
  const NDArray row = logp.contiguous();
  int64_t best = kEosId;
  for (int64_t v = 0; v < row.size(1); ++v)
    if (v != kPadId && v != kBosId && row.data()[v] > row.data()[best]) best = v;
  return best;
}

// Rows of weights (each S wide) as a (rows, S) matrix.
NDArray stack(const std::vector<std::vector<float>>& rows, int64_t width) {
  std::vector<float> flat;
  for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
  return NDArray::from_vector(flat, {static_cast<int64_t>(rows.size()), width});
}

std::vector<float> row_of(const NDArray& weights) {  // (1, S) -> S values
  const NDArray w = weights.contiguous();
  return std::vector<float>(w.data(), w.data() + w.numel());
}

}  // namespace

std::vector<AttentionFigure> attention_figures(Seq2SeqModel& model, const std::string& name,
                                               const Tokenizer& source_tokenizer,
                                               const Tokenizer& target_tokenizer,
                                               const std::string& sentence,
                                               const LengthLimit& max_len) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<int64_t> source = source_tokenizer.encode(sentence);
  source.push_back(kEosId);
  const auto S = static_cast<int64_t>(source.size());
  std::unique_ptr<DecoderState> state = model.start(IndexArray(source, {1, S}), {S});
  const auto* convs2s = dynamic_cast<const ConvS2SState*>(state.get());

  std::vector<std::string> outputs;
  std::vector<std::vector<float>> averaged;                // per step
  std::vector<std::vector<std::vector<float>>> per_layer;  // per layer, per step
  int64_t token = kBosId;
  for (int64_t t = 0; t <= max_len(S) && token != kEosId; ++t) {
    const NDArray logp = model.step(IndexArray({token}), *state).data();
    token = t == max_len(S) ? kEosId : best_token(logp);
    outputs.push_back(token == kEosId ? "</s>" : label(target_tokenizer, token));
    const NDArray weights = state->last_attention();
    if (!weights.defined()) break;
    averaged.push_back(row_of(weights));
    if (convs2s != nullptr) {
      const std::vector<NDArray>& layers = convs2s->layer_attention();
      per_layer.resize(layers.size());
      for (size_t l = 0; l < layers.size(); ++l) per_layer[l].push_back(row_of(layers[l]));
    }
  }
  model.train(was_training);
  if (averaged.empty()) return {};

  std::vector<std::string> columns;
  for (int64_t id : source) columns.push_back(id == kEosId ? "</s>" : label(source_tokenizer, id));
  const auto figure = [&](std::string file, std::string title, NDArray values) {
    return AttentionFigure{std::move(file),
                           Heatmap{std::move(title), std::move(values), outputs, columns}};
  };
  std::vector<AttentionFigure> out;
  if (per_layer.empty()) {
    out.push_back(figure("attention-" + slug(name) + ".svg", name, stack(averaged, S)));
  }
  for (size_t l = 0; l < per_layer.size(); ++l) {
    out.push_back(figure(fmt::format("attention-{}-layer{}.svg", slug(name), l + 1),
                         fmt::format("{}, decoder layer {}", name, l + 1), stack(per_layer[l], S)));
  }
  return out;
}

}  // namespace ember::seq2seq::lab
