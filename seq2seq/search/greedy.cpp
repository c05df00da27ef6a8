#include "ember/seq2seq/search/greedy.h"

#include "ember/autograd/grad_mode.h"
#include "ember/seq2seq/models/config.h"

namespace ember::seq2seq {
namespace {

using search_detail::emittable;
using search_detail::kNegInf;

constexpr const char* kOp = "greedy_search";

// The token of highest log-probability in row (V) that may follow `tokens` (the first one on
// ties).
int64_t best_token(const float* row, int64_t vocab, const std::vector<int64_t>& tokens,
                   const GreedyOptions& options) {
  const auto length = static_cast<int64_t>(tokens.size());
  const std::vector<int64_t> banned =
      search_detail::repeated_ngram_ends(tokens, options.no_repeat_ngram);
  int64_t best = -1;
  float best_value = kNegInf;
  for (int64_t v = 0; v < vocab; ++v)
    if (emittable(v, length, options.min_len, options.disable_unk) &&
        (best < 0 || row[v] > best_value) && !search_detail::is_banned(v, banned))
      best = v, best_value = row[v];
  return best;
}

// The sentences still decoding: state row r holds sentence sentence[r], whose last token is
// previous[r]; attention[i] collects sentence i's weights, row by row (has_attention: the model
// reported some).
struct Running {
  std::vector<int64_t> sentence, previous;
  std::vector<std::vector<float>> attention;
  bool has_attention = false;
};

// Appends the first `length` weights of row r of attn (R, S) to out.
void append_row(const NDArray& attn, int64_t r, int64_t length, std::vector<float>& out) {
  const NDArray row = attn.select(0, r).narrow(0, 0, length).contiguous();
  out.insert(out.end(), row.data(), row.data() + length);
}

// Advances every running sentence by one token; returns the state rows that go on.
std::vector<int64_t> advance(const NDArray& logp, const NDArray& attn,
                             const std::vector<int64_t>& src_lengths,
                             const std::vector<int64_t>& limits, const GreedyOptions& options,
                             Running& running, std::vector<Hypothesis>& out) {
  std::vector<int64_t> keep;
  const int64_t vocab = logp.size(1);
  for (int64_t r = 0; r < static_cast<int64_t>(running.sentence.size()); ++r) {
    const int64_t i = running.sentence[r];
    const float* row = logp.data() + r * vocab;
    Hypothesis& hyp = out[i];
    const int64_t token = best_token(row, vocab, hyp.tokens, options);
    if (token < 0) continue;  // every token banned: the output stops, as at its maximum length
    hyp.log_prob += row[token];
    if (token == kEosId) {
      hyp.finished = true;
      continue;
    }
    hyp.tokens.push_back(token);
    if (attn.defined()) append_row(attn, r, src_lengths[i], running.attention[i]);
    running.previous[r] = token;
    if (static_cast<int64_t>(hyp.tokens.size()) < limits[i]) keep.push_back(r);
  }
  return keep;
}

// Keeps the rows `keep` of the running sentences, in order.
void shrink(const std::vector<int64_t>& keep, Running& running) {
  std::vector<int64_t> sentence, previous;
  for (int64_t r : keep) {
    sentence.push_back(running.sentence[r]);
    previous.push_back(running.previous[r]);
  }
  running.sentence = std::move(sentence);
  running.previous = std::move(previous);
}

}  // namespace

std::vector<Hypothesis> greedy_search(Seq2SeqModel& model, const IndexArray& src,
                                      const std::vector<int64_t>& src_lengths,
                                      const GreedyOptions& options) {
  check_source(kOp, src, src_lengths);
  search_detail::check_length_limit(kOp, options.max_len);
  search_detail::check_min_len(kOp, options.min_len);
  search_detail::check_no_repeat_ngram(kOp, options.no_repeat_ngram);
  const int64_t batch_size = src.size(0);
  NoGradGuard no_grad;
  std::vector<Hypothesis> out(static_cast<size_t>(batch_size));
  std::vector<int64_t> limits;
  Running running;
  running.attention.resize(static_cast<size_t>(batch_size));
  for (int64_t i = 0; i < batch_size; ++i) {
    limits.push_back(options.max_len(src_lengths[i]));
    running.sentence.push_back(i);
    running.previous.push_back(kBosId);
  }
  std::unique_ptr<DecoderState> state = model.start(src, src_lengths);
  std::vector<int64_t> keep;
  for (int64_t r = 0; r < batch_size; ++r)
    if (limits[r] > 0) keep.push_back(r);
  while (!keep.empty()) {
    if (keep.size() < running.sentence.size()) {
      state->select(IndexArray(keep));
      shrink(keep, running);
    }
    const auto rows = static_cast<int64_t>(running.sentence.size());
    const NDArray logp = search_detail::check_step(
        kOp, model.step(IndexArray(running.previous), *state).data(), rows);
    const NDArray attn = options.attention
                             ? search_detail::step_attention(kOp, *state, rows, src.size(1))
                             : NDArray();
    running.has_attention = running.has_attention || attn.defined();
    keep = advance(logp, attn, src_lengths, limits, options, running, out);
  }
  for (int64_t i = 0; i < batch_size; ++i) {
    Hypothesis& hyp = out[i];
    hyp.score = hyp.log_prob;
    if (running.has_attention)
      hyp.attention = NDArray::from_vector(
          running.attention[i], {static_cast<int64_t>(hyp.tokens.size()), src_lengths[i]});
  }
  return out;
}

}  // namespace ember::seq2seq
