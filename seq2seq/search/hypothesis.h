// What greedy and beam search share: the output hypothesis, the maximum output length relative to
// the source, and the checks of a decoding call.
// Shapes: B sentences, S source length, V target vocabulary, T output tokens.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/ndarray.h"
#include "ember/seq2seq/data/vocab.h"
#include "ember/seq2seq/models/model.h"

namespace ember::seq2seq {

// max_len(src_len) = floor(a * src_len + b) output tokens (</s> not counted), at least 0.
// Decoding stops a sentence at </s> or when it has max_len tokens.
struct LengthLimit {
  double a = 1.5;
  int64_t b = 10;

  int64_t operator()(int64_t src_len) const {
    const double n = std::floor(a * static_cast<double>(src_len) + static_cast<double>(b));
    return n > 0.0 ? static_cast<int64_t>(n) : 0;
  }
};

// One decoded output of a sentence.
struct Hypothesis {
  std::vector<int64_t> tokens;  // without <s> and </s>
  float log_prob = 0.0f;        // sum of the model's log-probabilities of tokens (and </s>)
  float score = 0.0f;           // log_prob / lp(|Y|) in beam search; log_prob in greedy search
  bool finished = false;        // ended with </s> (false: stopped at the maximum length)
  // (T, S_i): row t is the model's attention over the sentence's S_i = src_length source
  // positions when it produced tokens[t]. Defined when asked for and the model reports attention
  // (DecoderState::last_attention), else undefined.
  NDArray attention;
};

namespace search_detail {

inline constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The widest beam a search accepts. Quality falls as the beam grows past a few dozen (Koehn &
// Knowles, 2017, "Six challenges", the beam search problem); 1,000 is far past that and keeps a
// step's (k, V) scores of a 32k vocabulary at 128 MB per sentence, while 100,000 hypotheses
// would need the encoder output copied 100,000 times.
inline constexpr int64_t kMaxBeamSize = 1000;
// The largest LengthLimit a search accepts: a <= 1,000 output tokens per source token and
// b <= 2^20 tokens (ModelConfig's longest max_positions); both >= 0.
inline constexpr double kMaxLengthA = 1000.0;
inline constexpr int64_t kMaxLengthB = int64_t{1} << 20;

// Throws "[op]" naming the values unless 0 <= a <= kMaxLengthA (finite) and 0 <= b <= kMaxLengthB:
// a negative limit silently gives empty outputs, a huge one an endless decoding.
inline void check_length_limit(const char* op, const LengthLimit& limit) {
  EMBER_CHECK(std::isfinite(limit.a) && limit.a >= 0.0 && limit.a <= kMaxLengthA &&
                  limit.b >= 0 && limit.b <= kMaxLengthB,
              "[{}] max_len a = {}, b = {} must be in [0, {}] and [0, {}] (outputs stop at a * "
              "source length + b tokens)",
              op, limit.a, limit.b, kMaxLengthA, kMaxLengthB);
}

// The largest beam patience a search accepts: past it a sentence runs to max_len anyway.
inline constexpr float kMaxPatience = 1000.0f;

// Throws "[op]" naming the value unless 0 < patience <= kMaxPatience (finite).
inline void check_patience(const char* op, float patience) {
  EMBER_CHECK(std::isfinite(patience) && patience > 0.0f && patience <= kMaxPatience,
              "[{}] patience = {} must be in (0, {}] (a sentence ends after patience * beam_size "
              "finished hypotheses)",
              op, patience, kMaxPatience);
}

// Throws "[op]" naming the value unless 0 <= min_len <= kMaxLengthB.
inline void check_min_len(const char* op, int64_t min_len) {
  EMBER_CHECK(min_len >= 0 && min_len <= kMaxLengthB,
              "[{}] min_len = {} must be in [0, {}] (</s> is allowed after min_len output tokens)",
              op, min_len, kMaxLengthB);
}

// Throws "[op]" naming the value unless 0 <= n <= kMaxLengthB (0: no blocking).
inline void check_no_repeat_ngram(const char* op, int64_t n) {
  EMBER_CHECK(n >= 0 && n <= kMaxLengthB,
              "[{}] no_repeat_ngram = {} must be in [0, {}] (0: off; n: no n-gram twice in an "
              "output)",
              op, n, kMaxLengthB);
}

// Throws "[op]" naming the value unless 1 <= beam_size <= kMaxBeamSize.
inline void check_beam_size(const char* op, int64_t beam_size) {
  EMBER_CHECK(beam_size >= 1 && beam_size <= kMaxBeamSize,
              "[{}] beam_size = {} must be in [1, {}]", op, beam_size, kMaxBeamSize);
}

// Checks the log-probabilities (R, V) a step returned for R hypotheses; returns them contiguous.
inline NDArray check_step(const char* op, const NDArray& logp, int64_t rows) {
  EMBER_CHECK(
      logp.dim() == 2 && logp.size(0) == rows && logp.size(1) > kEosId,
      "[{}] step returned log-probabilities {} for {} hypotheses (expected ({}, V), V > {})", op,
      core::shape_str(logp.shape()), rows, rows, kEosId);
  return logp.contiguous();
}

// The attention weights (R, S) a state reports after a step, contiguous, or undefined when the
// model has none; any other shape throws "[op]".
inline NDArray step_attention(const char* op, const DecoderState& state, int64_t rows,
                              int64_t src_len) {
  const NDArray attn = state.last_attention();
  if (!attn.defined()) return attn;
  EMBER_CHECK(attn.dim() == 2 && attn.size(0) == rows && attn.size(1) == src_len,
              "[{}] last_attention {} does not fit {} hypotheses over {} source positions", op,
              core::shape_str(attn.shape()), rows, src_len);
  return attn.contiguous();
}

// Whether a search may emit this token after `length` output tokens: never <pad> or <s>, <unk>
// unless disable_unk (CTranslate2's disable_unk; Marian bars it unless --allow-unk), and </s>
// only once the output has min_len tokens (fairseq's --min-len). An output the maximum length
// stops first ends there without </s>.
inline bool emittable(int64_t token, int64_t length, int64_t min_len, bool disable_unk) {
  return token != kPadId && token != kBosId && !(disable_unk && token == kUnkId) &&
         (token != kEosId || length >= min_len);
}

// The tokens that may not follow `tokens` when no n-gram may occur twice in an output (fairseq's
// --no-repeat-ngram-size, CTranslate2's no_repeat_ngram_size; n = 0: none): after each earlier
// occurrence of the output's last n - 1 tokens, the token that came next. n = 1 bans every token
// already emitted. </s> is never among them (it is not in `tokens`).
inline std::vector<int64_t> repeated_ngram_ends(const std::vector<int64_t>& tokens, int64_t n) {
  std::vector<int64_t> banned;
  const auto length = static_cast<int64_t>(tokens.size());
  if (n <= 0) return banned;
  // The n-gram starting at i would repeat if its first n - 1 tokens equal the last n - 1.
  for (int64_t i = 0; i <= length - n; ++i) {
    bool same = true;
    for (int64_t j = 0; j < n - 1 && same; ++j) same = tokens[i + j] == tokens[length - n + 1 + j];
    if (same) banned.push_back(tokens[i + n - 1]);
  }
  return banned;
}

// Whether `token` is in `banned` (a few tokens: a linear scan).
inline bool is_banned(int64_t token, const std::vector<int64_t>& banned) {
  return std::find(banned.begin(), banned.end(), token) != banned.end();
}

}  // namespace search_detail
}  // namespace ember::seq2seq
