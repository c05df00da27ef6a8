// Evaluation of a trained encoder-decoder: translate sentences (text in, text out, batched, greedy
// or beam, n-best lists), score given targets (forced decoding), the validation loss, and the
// scores a run reports — exact match, BLEU and chrF as
// sacreBLEU computes them, ROUGE-1/2/L as rouge-score does (all on a 0..100 scale).
//
//   DecodeOptions options{.beam_size = 5};
//   std::vector<Translation> out = translate(model, *src_tok, *tgt_tok, sentences, options);
//   DecodeOptions nbest_options{.beam_size = 5, .n_best = 3};
//   auto nbest = translate_nbest(model, *src_tok, *tgt_tok, sentences, nbest_options);
//   std::vector<TargetScore> t = score_targets(model, *src_tok, *tgt_tok, sentences, targets);
//   Scores s = score_outputs(MetricKind::kBleu, hypotheses(out), references, "13a");  // bleu, chrf
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ember/seq2seq/data/batching.h"
#include "ember/seq2seq/data/tokenizer.h"
#include "ember/seq2seq/enum_names.h"
#include "ember/seq2seq/metrics/mbr.h"
#include "ember/seq2seq/metrics/rouge.h"
#include "ember/seq2seq/models/model.h"
#include "ember/seq2seq/search/hypothesis.h"

namespace ember::seq2seq {

struct DecodeOptions {
  int64_t beam_size = 1;          // 1: greedy search, else beam search of this width
  float length_penalty = 0.6f;    // GNMT's alpha (beam search only)
  int64_t n_best = 1;             // translate_nbest: hypotheses per sentence, in [1, beam_size]
  float patience = 1.0f;          // beam search ends a sentence at patience * k finished (beam.h)
  LengthLimit max_len;            // output tokens allowed for a source of n tokens
  int64_t min_len = 0;            // no </s> before this many output tokens (0: anywhere)
  int64_t no_repeat_ngram = 0;    // no n-gram of this many tokens twice in an output (0: off)
  bool disable_unk = false;       // never output <unk>
  // Minimum Bayes-risk decoding (mbr.h): of the beam's beam_size best outputs, the one with the
  // highest expected utility under the model comes first (kNone: the search's order).
  MbrUtility mbr = MbrUtility::kNone;
  int64_t max_tokens = 8192;      // source tokens (padding included) decoded in one batch
  int64_t max_source_tokens = 0;  // longer sources are cut to this many tokens (0 = no limit)
  // Outputs stop at this many tokens whatever max_len allows (0 = no cap): for a model with a
  // fixed number of positions, which the decoder must not run past.
  int64_t max_output_tokens = 0;
  bool attention = false;  // keep each output's attention weights
};

struct Translation {
  std::string text;             // the decoded output
  std::vector<int64_t> source;  // (S) the source ids the model read, </s> included
  std::vector<int64_t> tokens;  // (T) the output ids, without <s> and </s>
  float log_prob = 0.0f;        // log P(tokens | source): the sum over the steps, </s> included
  float score = 0.0f;           // the search's score: log_prob / lp(|Y|) (beam.h), greedy: log_prob
  core::NDArray attention;      // (T, S) when asked for and the model has attention
  bool source_cut = false;      // the source was longer than max_source_tokens: only its start read
};

// Throws "[translate]" naming the option for a beam size, n-best size, length limit, length
// penalty or batch size out of range (translate checks its options; the trainer checks its
// validation's up front).
void validate(const DecodeOptions& options);

// Translates every sentence, in order: sources are tokenized and ended with </s> (as batching
// does for training), sorted by length into batches within max_tokens, decoded under no_grad in
// eval mode (the model's training mode is restored afterwards), and put back in input order.
// A source longer than max_source_tokens is cut before it is tokenized whole
// (Tokenizer::encode_prefix) and marked source_cut; the others are unaffected. An empty or blank
// (whitespace-only) sentence, or one with no tokens, is not decoded: its translation is empty
// (no text, no source, no tokens). Throws "[translate]" for bad options.
std::vector<Translation> translate(Seq2SeqModel& model, const Tokenizer& source_tokenizer,
                                   const Tokenizer& target_tokenizer,
                                   const std::vector<std::string>& sources,
                                   const DecodeOptions& options = {});

// translate with n-best lists: the options.n_best best translations of every sentence, best first
// by score (beam search; greedy search has one), or with options.mbr by expected utility over the
// beam's beam_size outputs. An empty or blank sentence has one empty
// translation. A sentence's list is shorter only when the model leaves fewer finite-scoring
// outputs, and holds one empty translation of score -inf when it leaves none.
std::vector<std::vector<Translation>> translate_nbest(Seq2SeqModel& model,
                                                      const Tokenizer& source_tokenizer,
                                                      const Tokenizer& target_tokenizer,
                                                      const std::vector<std::string>& sources,
                                                      const DecodeOptions& options);

// The model's score of a given target (forced decoding).
struct TargetScore {
  double log_prob = 0.0;    // log P(target | source): the sum over its tokens and </s>
  int64_t tokens = 0;       // the target's tokens, </s> included (a per-token score divides by it)
  int64_t unknown = 0;      // target pieces outside the vocabulary, scored as <unk>
  bool source_cut = false;  // the source was cut to options.max_source_tokens, as translate does
};

// Forced decoding: log P(targets[i] | sources[i]) under the model, for reranking and contrastive
// evaluation. Sources are read as translate reads them (tokenized, cut to max_source_tokens,
// ended with </s>); pairs are batched by length within options.max_tokens (padding included) and
// scored by the model's teacher-forced loss (Seq2SeqModel::loss, per token, no label smoothing)
// under no_grad in eval mode (training mode restored afterwards), so a target scores exactly what
// the training loss measures. An empty target scores log P(</s> | source). Throws
// "[score_targets]" for lists of different lengths, a blank source (translate does not decode
// one) or a target longer than options.max_output_tokens (naming the line, from 1), and
// "[translate]" for bad options.
std::vector<TargetScore> score_targets(Seq2SeqModel& model, const Tokenizer& source_tokenizer,
                                       const Tokenizer& target_tokenizer,
                                       const std::vector<std::string>& sources,
                                       const std::vector<std::string>& targets,
                                       const DecodeOptions& options = {});

// The texts of the translations.
std::vector<std::string> hypotheses(const std::vector<Translation>& translations);
// How many of the translations had their source cut (Translation::source_cut).
int64_t count_cut_sources(const std::vector<Translation>& translations);

// The mean cross-entropy per target token (</s> included, no label smoothing) over the examples,
// batched within max_tokens, under no_grad in eval mode (training mode restored afterwards).
// NaN for no examples.
double validation_loss(Seq2SeqModel& model, const std::vector<Example>& examples,
                       int64_t max_tokens);
// Its parts: the cross-entropy summed over the target tokens, and their number (0 and 0 for no
// examples), which data-parallel training sums over the ranks' shares of the examples.
struct LossSum {
  double total = 0.0;
  int64_t tokens = 0;
};
LossSum validation_loss_sum(Seq2SeqModel& model, const std::vector<Example>& examples,
                            int64_t max_tokens);

// Named scores, the primary one first; every score grows with quality.
using Scores = std::vector<std::pair<std::string, double>>;

// The metrics a run can report and the scores each gives:
//   exact  {exact_match}: the share of hypotheses equal to their reference, in percent
//   bleu   {bleu, chrf}: corpus BLEU (tokenization bleu_tokenize, one of
//          bleu_tokenizer_names()) and chrF2
//   rouge  {rouge1, rouge2, rougeL}: F1 of rouge-score (with its use_stemmer when
//          rouge.use_stemmer), times 100
enum class MetricKind { kExact, kBleu, kRouge };
// The names exact | bleu | rouge; an unknown one throws "[evaluation] unknown metric '<name>'
// (expected one of: exact, bleu, rouge)".
const EnumNames<MetricKind>& metric_names();
const char* to_string(MetricKind metric);
std::vector<std::string> score_names(MetricKind metric);

// Throws "[evaluation]" when the lists differ in length or are empty.
Scores score_outputs(MetricKind metric, const std::vector<std::string>& hypotheses,
                     const std::vector<std::string>& references,
                     const std::string& bleu_tokenize = "13a", const RougeOptions& rouge = {});

double exact_match(const std::vector<std::string>& hypotheses,
                   const std::vector<std::string>& references);  // percent

}  // namespace ember::seq2seq
