#include "ember/seq2seq/search/beam.h"

#include <algorithm>
#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/seq2seq/models/config.h"

namespace ember::seq2seq {
namespace {

using search_detail::emittable;
using search_detail::kNegInf;

constexpr const char* kOp = "beam_search";

// Every token any hypothesis has emitted, as a tree: node n is token[n] following node parent[n]
// (-1: following <s>), with the attention row that produced it when kept.
class Tree {
 public:
  int64_t add(int64_t parent, int64_t token, const float* attention, int64_t length) {
    parent_.push_back(parent);
    token_.push_back(token);
    offset_.push_back(attention != nullptr ? static_cast<int64_t>(attention_.size()) : -1);
    if (attention != nullptr) attention_.insert(attention_.end(), attention, attention + length);
    return static_cast<int64_t>(parent_.size()) - 1;
  }

  // The nodes from the first token to `node`.
  std::vector<int64_t> path(int64_t node) const {
    std::vector<int64_t> nodes;
    for (; node >= 0; node = parent_[node]) nodes.push_back(node);
    std::reverse(nodes.begin(), nodes.end());
    return nodes;
  }
  int64_t token(int64_t node) const { return token_[node]; }
  // The tokens from the first to `node`'s (none for -1, the root).
  std::vector<int64_t> tokens(int64_t node) const {
    std::vector<int64_t> out;
    for (int64_t n : path(node)) out.push_back(token_[n]);
    return out;
  }
  // The attention row of a node, or nullptr when none was kept.
  const float* attention(int64_t node) const {
    return offset_[node] < 0 ? nullptr : attention_.data() + offset_[node];
  }

 private:
  std::vector<int64_t> parent_, token_, offset_;
  std::vector<float> attention_;
};

// A live hypothesis (one state row): its log P, its last tree node and last token.
struct Live {
  float log_prob;
  int64_t node, token;
};

struct Finished {
  int64_t node;  // the last token before </s> (or the last token, without </s>)
  float log_prob, score;
  bool eos;
};

struct Sentence {
  int64_t index, src_len, max_len;
  std::vector<Finished> finished;
};

// A one-token extension: row's hypothesis followed by token, with its total log P.
struct Candidate {
  float log_prob;
  int64_t row, token;
};

// Best first; ties broken by row, then token, so results never depend on sort internals.
bool better(const Candidate& a, const Candidate& b) {
  if (a.log_prob != b.log_prob) return a.log_prob > b.log_prob;
  return a.row != b.row ? a.row < b.row : a.token < b.token;
}

// The m best finite extensions of the live rows [first, first + k), each `length` tokens long,
// given logp (R, V), best first; banned[row - first]: the tokens that row may not take (banned
// empty: none).
std::vector<Candidate> top_candidates(const NDArray& logp, const std::vector<Live>& live,
                                      int64_t first, int64_t k, int64_t m, int64_t length,
                                      int64_t min_len, bool disable_unk,
                                      const std::vector<std::vector<int64_t>>& banned) {
  std::vector<Candidate> heap;  // a min-heap under better(): the worst kept candidate on top
  const int64_t vocab = logp.size(1);
  for (int64_t row = first; row < first + k; ++row) {
    if (live[row].log_prob == kNegInf) continue;
    const float* lp = logp.data() + row * vocab;
    for (int64_t v = 0; v < vocab; ++v) {
      const Candidate c{live[row].log_prob + lp[v], row, v};
      if (!emittable(v, length, min_len, disable_unk) || c.log_prob == kNegInf ||
          std::isnan(c.log_prob) ||
          (!banned.empty() && search_detail::is_banned(v, banned[row - first])))
        continue;
      if (static_cast<int64_t>(heap.size()) < m) {
        heap.push_back(c);
        std::push_heap(heap.begin(), heap.end(), better);
      } else if (better(c, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), better);
        heap.back() = c;
        std::push_heap(heap.begin(), heap.end(), better);
      }
    }
  }
  std::sort_heap(heap.begin(), heap.end(), better);
  return heap;
}

class BeamSearch {
 public:
  BeamSearch(Seq2SeqModel& model, const IndexArray& src, const std::vector<int64_t>& src_lengths,
             const BeamOptions& options)
      : model_(model),
        options_(options),
        k_(options.beam_size),
        src_len_(src.size(1)),
        finish_at_(std::max(
            options.n_best,
            std::max<int64_t>(1, std::llround(options.patience * static_cast<double>(k_))))) {
    for (int64_t i = 0; i < src.size(0); ++i)
      sentences_.push_back({i, src_lengths[i], options.max_len(src_lengths[i]), {}});
    state_ = model.start(src, src_lengths);
  }

  std::vector<std::vector<Hypothesis>> run();

 private:
  void begin();
  bool extend(Sentence& sentence, int64_t first, int64_t step, const NDArray& logp,
              const NDArray& attn);
  std::vector<Hypothesis> results(const Sentence& sentence) const;

  Seq2SeqModel& model_;
  const BeamOptions& options_;
  int64_t k_, src_len_;
  int64_t finish_at_;  // finished hypotheses that end a sentence: round(patience k), >= n_best
  std::vector<Sentence> sentences_;
  std::unique_ptr<DecoderState> state_;
  std::vector<int64_t> active_;  // the sentences in the state, k rows each
  std::vector<Live> live_, next_live_;
  std::vector<int64_t> parents_;  // the state row each row of next_live_ extends
  Tree tree_;
  bool has_attention_ = false;  // the model reported attention weights
};

// Repeats each sentence's state row k times: one live hypothesis (<s>, log P 0) and k - 1
// placeholders of log P -inf, so the first step extends the first row only.
void BeamSearch::begin() {
  std::vector<int64_t> rows;
  for (const Sentence& s : sentences_) {
    if (s.max_len == 0) continue;
    active_.push_back(s.index);
    for (int64_t j = 0; j < k_; ++j) {
      rows.push_back(s.index);
      live_.push_back({j == 0 ? 0.0f : kNegInf, -1, kBosId});
    }
  }
  if (!rows.empty()) state_->select(IndexArray(rows));
}

// Extends the k live rows from `first` of one sentence by one token; returns whether the sentence
// goes on (then its k new rows are in next_live_ and parents_).
bool BeamSearch::extend(Sentence& sentence, int64_t first, int64_t step, const NDArray& logp,
                        const NDArray& attn) {
  const float lp = gnmt_length_penalty(step + 1, options_.length_penalty);
  std::vector<std::vector<int64_t>> banned;  // stays empty (no allocation) without the option
  if (options_.no_repeat_ngram > 0) {
    banned.resize(static_cast<size_t>(k_));
    for (int64_t j = 0; j < k_; ++j)
      if (live_[first + j].log_prob != kNegInf)
        banned[j] = search_detail::repeated_ngram_ends(tree_.tokens(live_[first + j].node),
                                                       options_.no_repeat_ngram);
  }
  std::vector<Live> beam;
  std::vector<int64_t> from;
  for (const Candidate& c : top_candidates(logp, live_, first, k_, 2 * k_, step, options_.min_len,
                                           options_.disable_unk, banned)) {
    const Live& parent = live_[c.row];
    if (c.token == kEosId) {
      sentence.finished.push_back({parent.node, c.log_prob, c.log_prob / lp, true});
      continue;
    }
    const float* weights = attn.defined() ? attn.data() + c.row * src_len_ : nullptr;
    beam.push_back(
        {c.log_prob, tree_.add(parent.node, c.token, weights, sentence.src_len), c.token});
    from.push_back(c.row);
    if (static_cast<int64_t>(beam.size()) == k_) break;
  }
  if (step + 1 >= sentence.max_len) {
    for (const Live& h : beam)
      sentence.finished.push_back({h.node, h.log_prob, h.log_prob / lp, false});
    return false;
  }
  if (beam.empty() || static_cast<int64_t>(sentence.finished.size()) >= finish_at_) return false;
  while (static_cast<int64_t>(beam.size()) < k_) {  // placeholders that never extend
    beam.push_back({kNegInf, -1, kEosId});
    from.push_back(first);
  }
  next_live_.insert(next_live_.end(), beam.begin(), beam.end());
  parents_.insert(parents_.end(), from.begin(), from.end());
  return true;
}

std::vector<std::vector<Hypothesis>> BeamSearch::run() {
  begin();
  for (int64_t step = 0; !active_.empty(); ++step) {
    const auto rows = static_cast<int64_t>(live_.size());
    std::vector<int64_t> previous;
    for (const Live& h : live_) previous.push_back(h.token);
    const NDArray logp =
        search_detail::check_step(kOp, model_.step(IndexArray(previous), *state_).data(), rows);
    const NDArray attn = options_.attention
                             ? search_detail::step_attention(kOp, *state_, rows, src_len_)
                             : NDArray();
    has_attention_ = has_attention_ || attn.defined();
    std::vector<int64_t> still_active;
    next_live_.clear();
    parents_.clear();
    for (size_t slot = 0; slot < active_.size(); ++slot)
      if (extend(sentences_[active_[slot]], static_cast<int64_t>(slot) * k_, step, logp, attn))
        still_active.push_back(active_[slot]);
    active_ = std::move(still_active);
    live_.swap(next_live_);
    if (!active_.empty()) state_->select(IndexArray(parents_));
  }
  std::vector<std::vector<Hypothesis>> out;
  for (const Sentence& s : sentences_) out.push_back(results(s));
  return out;
}

std::vector<Hypothesis> BeamSearch::results(const Sentence& sentence) const {
  if (sentence.max_len == 0) return {Hypothesis{}};
  std::vector<Finished> ranked = sentence.finished;
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Finished& a, const Finished& b) { return a.score > b.score; });
  ranked.resize(std::min<size_t>(ranked.size(), static_cast<size_t>(options_.n_best)));
  std::vector<Hypothesis> out;
  for (const Finished& f : ranked) {
    Hypothesis hyp;
    hyp.log_prob = f.log_prob;
    hyp.score = f.score;
    hyp.finished = f.eos;
    const std::vector<int64_t> nodes = tree_.path(f.node);
    std::vector<float> weights;
    for (int64_t node : nodes) {
      hyp.tokens.push_back(tree_.token(node));
      const float* row = tree_.attention(node);
      if (row != nullptr) weights.insert(weights.end(), row, row + sentence.src_len);
    }
    if (has_attention_)
      hyp.attention =
          NDArray::from_vector(weights, {static_cast<int64_t>(nodes.size()), sentence.src_len});
    out.push_back(std::move(hyp));
  }
  return out;
}

}  // namespace

float gnmt_length_penalty(int64_t length, float alpha) {
  return static_cast<float>(std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha));
}

std::vector<std::vector<Hypothesis>> beam_search_nbest(Seq2SeqModel& model, const IndexArray& src,
                                                       const std::vector<int64_t>& src_lengths,
                                                       const BeamOptions& options) {
  check_source(kOp, src, src_lengths);
  search_detail::check_beam_size(kOp, options.beam_size);
  search_detail::check_length_limit(kOp, options.max_len);
  search_detail::check_min_len(kOp, options.min_len);
  search_detail::check_no_repeat_ngram(kOp, options.no_repeat_ngram);
  search_detail::check_patience(kOp, options.patience);
  EMBER_CHECK(options.beam_size >= 1 && options.n_best >= 1 && options.n_best <= options.beam_size,
              "[{}] needs beam_size >= 1 and n_best in [1, beam_size], got beam_size {}, n_best {}",
              kOp, options.beam_size, options.n_best);
  EMBER_CHECK(std::isfinite(options.length_penalty) && options.length_penalty >= 0.0f,
              "[{}] length_penalty alpha must be finite and >= 0, got {}", kOp,
              options.length_penalty);
  NoGradGuard no_grad;
  return BeamSearch(model, src, src_lengths, options).run();
}

std::vector<Hypothesis> beam_search(Seq2SeqModel& model, const IndexArray& src,
                                    const std::vector<int64_t>& src_lengths,
                                    const BeamOptions& options) {
  BeamOptions best = options;
  best.n_best = 1;
  std::vector<Hypothesis> out;
  for (std::vector<Hypothesis>& nbest : beam_search_nbest(model, src, src_lengths, best))
    out.push_back(nbest.empty() ? Hypothesis{{}, kNegInf, kNegInf, false, NDArray()}
                                : std::move(nbest.front()));
  return out;
}

}  // namespace ember::seq2seq
