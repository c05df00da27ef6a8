// Batched translation of text, validation loss, and the scores of a run.
#include "ember/seq2seq/train/evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/ops/nn.h"
#include "ember/core/error.h"
#include "ember/seq2seq/metrics/bleu.h"
#include "ember/seq2seq/metrics/chrf.h"
#include "ember/seq2seq/metrics/rouge.h"
#include "ember/seq2seq/search/beam.h"
#include "ember/seq2seq/search/greedy.h"

namespace ember::seq2seq {
namespace {

// Puts the model in eval mode for a scope and restores its mode afterwards.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(Seq2SeqModel& model) : model_(model), was_training_(model.is_training()) {
    model_.eval();
  }
  ~EvalModeGuard() { model_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  Seq2SeqModel& model_;
  bool was_training_;
};

// Only ASCII whitespace (or nothing): such a sentence is not decoded.
bool is_blank(const std::string& text) {
  return text.find_first_not_of(" \t\n\v\f\r") == std::string::npos;
}

// The source ids of a sentence, cut to options.max_source_tokens (*cut says so), with </s>.
std::vector<int64_t> source_ids(const Tokenizer& tokenizer, const std::string& text,
                                int64_t limit, bool* cut) {
  std::vector<int64_t> ids;
  if (limit > 0) {
    const std::string_view head = tokenizer.encode_prefix(text, limit + 1);
    ids = tokenizer.encode(head);
    *cut = head.size() < text.size() || static_cast<int64_t>(ids.size()) > limit;
    if (static_cast<int64_t>(ids.size()) > limit) ids.resize(static_cast<size_t>(limit));
  } else {
    ids = tokenizer.encode(text);
  }
  if (!ids.empty()) ids.push_back(kEosId);
  return ids;
}

// The output length limit of a source of `length` ids, capped at max_output_tokens.
bool output_capped(const DecodeOptions& options, int64_t length) {
  return options.max_output_tokens > 0 && options.max_len(length) > options.max_output_tokens;
}

// Decodes the sentences at `rows` (each list holding one translation, its source set) as one
// batch, replacing each list by the sentence's n-best translations.
void decode_batch(Seq2SeqModel& model, const Tokenizer& target_tokenizer,
                  const std::vector<int64_t>& rows, const DecodeOptions& given,
                  std::vector<std::vector<Translation>>& out) {
  DecodeOptions options = given;  // rows are batched so that all of them are capped or none is
  if (output_capped(given, static_cast<int64_t>(out[rows.front()].front().source.size())))
    options.max_len = LengthLimit{.a = 0.0, .b = given.max_output_tokens};
  const int64_t batch = static_cast<int64_t>(rows.size());
  std::vector<int64_t> lengths;
  for (int64_t r : rows) lengths.push_back(static_cast<int64_t>(out[r].front().source.size()));
  const int64_t width = *std::max_element(lengths.begin(), lengths.end());
  std::vector<int64_t> ids(static_cast<size_t>(batch * width), kPadId);
  for (int64_t b = 0; b < batch; ++b) {
    const std::vector<int64_t>& source = out[rows[b]].front().source;
    std::copy(source.begin(), source.end(), ids.begin() + b * width);
  }
  const IndexArray src(std::move(ids), {batch, width});
  std::vector<std::vector<Hypothesis>> lists;
  if (options.beam_size == 1) {
    const GreedyOptions greedy{.max_len = options.max_len,
                               .min_len = options.min_len,
                               .no_repeat_ngram = options.no_repeat_ngram,
                               .disable_unk = options.disable_unk,
                               .attention = options.attention};
    for (Hypothesis& h : greedy_search(model, src, lengths, greedy))
      lists.push_back({std::move(h)});
  } else {
    lists = beam_search_nbest(model, src, lengths,
                              {.beam_size = options.beam_size,
                               .length_penalty = options.length_penalty,
                               .n_best = options.n_best,
                               .patience = options.patience,
                               .max_len = options.max_len,
                               .min_len = options.min_len,
                               .no_repeat_ngram = options.no_repeat_ngram,
                               .disable_unk = options.disable_unk,
                               .attention = options.attention});
  }
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Translation>& list = out[rows[b]];
    const Translation read = std::move(list.front());  // the source, as read
    list.clear();
    if (lists[b].empty())  // no finite-scoring output
      lists[b].push_back({{}, search_detail::kNegInf, search_detail::kNegInf, false, NDArray()});
    for (Hypothesis& h : lists[b]) {
      Translation& t = list.emplace_back();
      t.source = read.source;
      t.source_cut = read.source_cut;
      t.tokens = std::move(h.tokens);
      t.text = target_tokenizer.decode(t.tokens);
      t.log_prob = h.log_prob;
      t.score = h.score;
      t.attention = h.attention;
    }
  }
}

// Orders a sentence's outputs by their expected utility (mbr.h), highest first, ties in the
// search's order, and keeps the n_best first. A list of one has nothing to choose among (it may
// be the empty output of score -inf that stands for none).
void rerank_by_mbr(std::vector<Translation>& list, MbrUtility utility, int64_t n_best) {
  if (list.size() <= 1) return;
  std::vector<std::string> texts;
  std::vector<double> log_probs;
  for (const Translation& t : list) {
    texts.push_back(t.text);
    log_probs.push_back(t.log_prob);
  }
  const std::vector<double> expected = mbr_expected_utilities(texts, log_probs, utility);
  std::vector<size_t> order(list.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return expected[a] > expected[b]; });
  std::vector<Translation> ranked;
  for (size_t i = 0; i < order.size() && static_cast<int64_t>(i) < n_best; ++i)
    ranked.push_back(std::move(list[order[i]]));
  list = std::move(ranked);
}

}  // namespace

void validate(const DecodeOptions& options) {
  EMBER_CHECK(options.beam_size >= 1 && options.max_tokens >= 1 && options.max_source_tokens >= 0 &&
                  options.max_output_tokens >= 0,
              "[translate] needs beam_size >= 1, max_tokens >= 1, max_source_tokens >= 0 and "
              "max_output_tokens >= 0, got {}, {}, {} and {}",
              options.beam_size, options.max_tokens, options.max_source_tokens,
              options.max_output_tokens);
  search_detail::check_beam_size("translate", options.beam_size);
  EMBER_CHECK(options.n_best >= 1 && options.n_best <= options.beam_size,
              "[translate] n_best = {} must be in [1, beam_size = {}]", options.n_best,
              options.beam_size);
  search_detail::check_length_limit("translate", options.max_len);
  search_detail::check_min_len("translate", options.min_len);
  search_detail::check_no_repeat_ngram("translate", options.no_repeat_ngram);
  search_detail::check_patience("translate", options.patience);
  EMBER_CHECK(options.mbr == MbrUtility::kNone || options.beam_size >= 2,
              "[translate] minimum Bayes-risk decoding (mbr = {}) chooses among the outputs of a "
              "beam search: needs beam_size >= 2, got {}",
              mbr_utility_names().name(options.mbr), options.beam_size);
  EMBER_CHECK(options.beam_size == 1 ||
                  (std::isfinite(options.length_penalty) && options.length_penalty >= 0.0f),
              "[translate] length_penalty = {} must be finite and >= 0", options.length_penalty);
}

std::vector<std::vector<Translation>> translate_nbest(Seq2SeqModel& model,
                                                      const Tokenizer& source_tokenizer,
                                                      const Tokenizer& target_tokenizer,
                                                      const std::vector<std::string>& sources,
                                                      const DecodeOptions& options) {
  validate(options);
  std::vector<std::vector<Translation>> out(sources.size(), std::vector<Translation>(1));
  std::vector<int64_t> order;  // the sentences to decode: not blank, with tokens
  for (size_t i = 0; i < sources.size(); ++i) {
    if (is_blank(sources[i])) continue;
    Translation& read = out[i].front();
    read.source =
        source_ids(source_tokenizer, sources[i], options.max_source_tokens, &read.source_cut);
    if (!read.source.empty()) order.push_back(static_cast<int64_t>(i));
  }
  const auto length = [&out](int64_t i) {
    return static_cast<int64_t>(out[i].front().source.size());
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return length(a) < length(b); });
  EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  const int64_t budget = std::max<int64_t>(options.max_tokens / options.beam_size, 1);
  DecodeOptions search = options;  // minimum Bayes-risk decoding chooses among the whole beam
  if (options.mbr != MbrUtility::kNone) search.n_best = options.beam_size;
  std::vector<int64_t> rows;
  for (int64_t r : order) {  // lengths grow along `order`: the newest row is the longest
    const bool capped = output_capped(options, length(r));
    if (!rows.empty() && (static_cast<int64_t>(rows.size() + 1) * length(r) > budget ||
                          capped != output_capped(options, length(rows[0])))) {
      decode_batch(model, target_tokenizer, rows, search, out);
      rows.clear();
    }
    rows.push_back(r);
  }
  if (!rows.empty()) decode_batch(model, target_tokenizer, rows, search, out);
  if (options.mbr != MbrUtility::kNone)
    for (int64_t r : order) rerank_by_mbr(out[r], options.mbr, options.n_best);
  return out;
}

std::vector<Translation> translate(Seq2SeqModel& model, const Tokenizer& source_tokenizer,
                                   const Tokenizer& target_tokenizer,
                                   const std::vector<std::string>& sources,
                                   const DecodeOptions& options) {
  DecodeOptions best = options;
  best.n_best = 1;
  std::vector<Translation> out;
  out.reserve(sources.size());
  for (std::vector<Translation>& list :
       translate_nbest(model, source_tokenizer, target_tokenizer, sources, best))
    out.push_back(std::move(list.front()));
  return out;
}

std::vector<TargetScore> score_targets(Seq2SeqModel& model, const Tokenizer& source_tokenizer,
                                       const Tokenizer& target_tokenizer,
                                       const std::vector<std::string>& sources,
                                       const std::vector<std::string>& targets,
                                       const DecodeOptions& options) {
  validate(options);
  EMBER_CHECK(sources.size() == targets.size(),
              "[score_targets] {} sources for {} targets (need one target a source)",
              sources.size(), targets.size());
  std::vector<TargetScore> out(sources.size());
  std::vector<Example> examples(sources.size());
  int64_t longest = 1;
  for (size_t i = 0; i < sources.size(); ++i) {
    Example& e = examples[i];
    if (!is_blank(sources[i]))
      e.source =
          source_ids(source_tokenizer, sources[i], options.max_source_tokens, &out[i].source_cut);
    EMBER_CHECK(!e.source.empty(),
                "[score_targets] line {}: the source has no tokens (translate gives an empty "
                "line without decoding it, so there is no model score to compare)",
                i + 1);
    e.source.pop_back();  // make_batch ends it with </s> again
    e.target = target_tokenizer.encode(targets[i]);
    const auto n = static_cast<int64_t>(e.target.size());
    EMBER_CHECK(options.max_output_tokens == 0 || n <= options.max_output_tokens,
                "[score_targets] line {}: the target has {} tokens, more than the {} the model's "
                "decoder reads",
                i + 1, n, options.max_output_tokens);
    out[i].tokens = n + 1;
    out[i].unknown = std::count(e.target.begin(), e.target.end(), kUnkId);
    longest = std::max({longest, static_cast<int64_t>(e.source.size()) + 1, n + 1});
  }
  if (examples.empty()) return out;
  const BatchOptions batching{.max_tokens = std::max(options.max_tokens, longest)};
  EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  for (const std::vector<int64_t>& indices : plan_batches(examples, batching, nullptr)) {
    const Batch batch = make_batch(examples, indices, batching.add_source_eos);
    // -log p of each target position, 0 at padding: (B, T)
    const NDArray nll = model.loss(batch, {.ignore_index = kPadId, .reduction = Reduction::kNone})
                            .data()
                            .contiguous();
    const int64_t width = batch.target_output.size(1);
    EMBER_CHECK(nll.dim() == 2 && nll.size(0) == batch.size() && nll.size(1) == width,
                "[score_targets] the model's per-token loss is {}, expected ({}, {})",
                core::shape_str(nll.shape()), batch.size(), width);
    for (int64_t b = 0; b < batch.size(); ++b) {
      double sum = 0.0;
      for (int64_t t = 0; t < batch.target_lengths[b]; ++t) sum += nll.data()[b * width + t];
      out[batch.indices[b]].log_prob = -sum;
    }
  }
  return out;
}

std::vector<std::string> hypotheses(const std::vector<Translation>& translations) {
  std::vector<std::string> out;
  out.reserve(translations.size());
  for (const Translation& t : translations) out.push_back(t.text);
  return out;
}

int64_t count_cut_sources(const std::vector<Translation>& translations) {
  return std::count_if(translations.begin(), translations.end(),
                       [](const Translation& t) { return t.source_cut; });
}

double validation_loss(Seq2SeqModel& model, const std::vector<Example>& examples,
                       int64_t max_tokens) {
  if (examples.empty()) return std::numeric_limits<double>::quiet_NaN();
  const LossSum sum = validation_loss_sum(model, examples, max_tokens);
  return sum.total / static_cast<double>(sum.tokens);
}

LossSum validation_loss_sum(Seq2SeqModel& model, const std::vector<Example>& examples,
                            int64_t max_tokens) {
  if (examples.empty()) return {};
  int64_t longest = 0;
  for (const Example& e : examples) {
    longest = std::max({longest, static_cast<int64_t>(e.source.size()) + 1,
                        static_cast<int64_t>(e.target.size()) + 1});
  }
  const BatchOptions batching{.max_tokens = std::max(max_tokens, longest)};
  EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  double total = 0.0;
  int64_t tokens = 0;
  for (const std::vector<int64_t>& indices : plan_batches(examples, batching, nullptr)) {
    const Batch batch = make_batch(examples, indices, batching.add_source_eos);
    total += model.loss(batch, {.ignore_index = kPadId, .reduction = Reduction::kSum}).item();
    tokens += batch.num_target_tokens();
  }
  return {total, tokens};
}

const EnumNames<MetricKind>& metric_names() {
  static const EnumNames<MetricKind> names(
      "[evaluation]", "metric",
      {{"exact", MetricKind::kExact}, {"bleu", MetricKind::kBleu}, {"rouge", MetricKind::kRouge}});
  return names;
}

const char* to_string(MetricKind metric) { return metric_names().name(metric); }

std::vector<std::string> score_names(MetricKind metric) {
  switch (metric) {
    case MetricKind::kExact:
      return {"exact_match"};
    case MetricKind::kBleu:
      return {"bleu", "chrf"};
    case MetricKind::kRouge:
      return {"rouge1", "rouge2", "rougeL"};
  }
  return {};
}

double exact_match(const std::vector<std::string>& hypotheses,
                   const std::vector<std::string>& references) {
  EMBER_CHECK(hypotheses.size() == references.size() && !hypotheses.empty(),
              "[evaluation] {} hypotheses for {} references (need as many, at least one)",
              hypotheses.size(), references.size());
  int64_t same = 0;
  for (size_t i = 0; i < hypotheses.size(); ++i) same += hypotheses[i] == references[i];
  return 100.0 * static_cast<double>(same) / static_cast<double>(hypotheses.size());
}

Scores score_outputs(MetricKind metric, const std::vector<std::string>& hypotheses,
                     const std::vector<std::string>& references, const std::string& bleu_tokenize,
                     const RougeOptions& rouge) {
  const std::vector<std::string> names = score_names(metric);
  if (metric == MetricKind::kExact) return {{names[0], exact_match(hypotheses, references)}};
  EMBER_CHECK(hypotheses.size() == references.size() && !hypotheses.empty(),
              "[evaluation] {} hypotheses for {} references (need as many, at least one)",
              hypotheses.size(), references.size());
  if (metric == MetricKind::kBleu) {
    const BleuOptions bleu{.tokenize = bleu_tokenizer_from_name(bleu_tokenize)};
    return {{names[0], corpus_bleu(hypotheses, {references}, bleu).score},
            {names[1], corpus_chrf(hypotheses, {references}).score}};
  }
  const RougeScores mean = corpus_rouge(hypotheses, references, rouge).mean;
  return {{names[0], 100.0 * mean.rouge1.fmeasure},
          {names[1], 100.0 * mean.rouge2.fmeasure},
          {names[2], 100.0 * mean.rouge_l.fmeasure}};
}

}  // namespace ember::seq2seq
