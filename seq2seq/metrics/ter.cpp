// TER as sacreBLEU 2.x computes it (sacrebleu/metrics/ter.py, lib_ter.py, tokenizer_ter.py),
// reimplemented. lib_ter.py caches rows of the edit-distance matrix between shift candidates;
// every candidate has the hypothesis' length, so a row depends only on the words before it and
// the cache changes the speed, not the result: this computes each matrix whole.
#include "ember/seq2seq/metrics/ter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "ember/core/error.h"
#include "ember/core/utf8.h"
#include "ember/seq2seq/metrics/bleu_tokenizers.h"
#include "ember/seq2seq/metrics/python_text.h"

namespace ember::seq2seq {
namespace {

using Words = std::vector<std::string>;

constexpr int kMaxShiftSize = 10;  // tercom's limits
constexpr int kMaxShiftDist = 50;
constexpr int kBeamWidth = 25;
constexpr int kMaxShiftCandidates = 1000;         // sacreBLEU's own limit
constexpr int64_t kInfinity = 10000000000000000;  // int(1e16)

// Edit operations as lib_ter.py names them: ' ' match, 's' substitution, 'i' insertion,
// 'd' deletion, 'x' a cell outside the beam.
constexpr char kNop = ' ', kSub = 's', kIns = 'i', kDel = 'd', kUndef = 'x';

// CJK ideographs, strokes, radicals, compatibility forms and enclosed letters, which tercom's
// Asian normalization splits into characters. (Its three kana rules are anchored at the start
// of a text that normalization has already padded with a space, so they never match.)
bool is_tercom_asian_char(char32_t c) {
  const auto in = [c](char32_t lo, char32_t hi) { return c >= lo && c <= hi; };
  return in(0x4E00, 0x9FFF) || in(0x3400, 0x4DBF) || in(0x31C0, 0x31EF) || in(0x2E80, 0x2EFF) ||
         in(0x3300, 0x33FF) || in(0xF900, 0xFAFF) || in(0xFE30, 0xFE4F) || in(0x3200, 0x3F22);
}

// TercomTokenizer.ASIAN_PUNCT and FULL_WIDTH_PUNCT.
bool is_tercom_asian_punct(char32_t c) {
  const auto in = [c](char32_t lo, char32_t hi) { return c >= lo && c <= hi; };
  return c == 0x3001 || c == 0x3002 || in(0x3008, 0x3011) || in(0x3014, 0x301F) ||
         in(0xFF61, 0xFF65) || c == 0x30FB || c == 0xFF0E || c == 0xFF0C || c == 0xFF1F ||
         c == 0xFF1A || c == 0xFF1B || c == 0xFF01 || c == 0xFF02 || c == 0xFF08 || c == 0xFF09;
}

// _normalize_general_and_western.
std::string normalize_western(std::string text) {
  python_text::replace(text, "\n-", "");
  python_text::replace(text, "\n", " ");
  python_text::replace(text, "&quot;", "\"");
  python_text::replace(text, "&amp;", "&");
  python_text::replace(text, "&lt;", "<");
  python_text::replace(text, "&gt;", ">");
  text = split_mteval_symbols(" " + text + " ");
  python_text::replace(text, "'s ", " 's ");  // possessives; "'s$" cannot match after the padding
  return split_mteval_period_comma_dash(text);
}

// Each character for which keep(c) is false is dropped, each for which pad(c) holds is padded
// with spaces.
template <class Keep, class Pad>
std::string map_code_points(std::string_view text, Keep keep, Pad pad) {
  std::string out;
  for (std::string_view piece : core::split_code_points(text)) {
    const char32_t c = python_text::decode(piece);
    if (!keep(piece, c)) continue;
    if (pad(c)) out.push_back(' ');
    out.append(piece);
    if (pad(c)) out.push_back(' ');
  }
  return out;
}

// The edit distance from the hypothesis to the reference with lib_ter.py's beam, and the trace
// of operations (BeamEditDistance._edit_distance).
std::pair<int64_t, std::string> beam_edit_distance(const Words& hyp, const Words& ref) {
  struct Cell {
    int64_t cost;
    char op;
  };
  const size_t n_h = hyp.size(), n_r = ref.size();
  std::vector<std::vector<Cell>> dist(n_h + 1, std::vector<Cell>(n_r + 1, {kInfinity, kUndef}));
  for (size_t j = 0; j <= n_r; ++j) dist[0][j] = {static_cast<int64_t>(j), kIns};
  const double length_ratio = n_h > 0 ? static_cast<double>(n_r) / static_cast<double>(n_h) : 1.0;
  // A very uneven pair widens the beam so that consecutive rows still overlap.
  const int64_t beam = kBeamWidth < length_ratio / 2
                           ? static_cast<int64_t>(std::ceil(length_ratio / 2 + kBeamWidth))
                           : kBeamWidth;
  for (size_t i = 1; i <= n_h; ++i) {
    const auto diag = static_cast<int64_t>(std::floor(static_cast<double>(i) * length_ratio));
    const auto min_j = static_cast<size_t>(std::max<int64_t>(0, diag - beam));
    size_t max_j =
        static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n_r) + 1, diag + beam));
    if (i == n_h) max_j = n_r + 1;
    for (size_t j = min_j; j < max_j; ++j) {
      Cell& cell = dist[i][j];
      if (j == 0) {
        cell = {dist[i - 1][0].cost + 1, kDel};
        continue;
      }
      const bool same = hyp[i - 1] == ref[j - 1];
      // Tercom prefers match/substitution, then insertion, then deletion; the trace is flipped
      // later, so deletion is tried before insertion here.
      const Cell options[3] = {{dist[i - 1][j - 1].cost + (same ? 0 : 1), same ? kNop : kSub},
                               {dist[i - 1][j].cost + 1, kDel},
                               {dist[i][j - 1].cost + 1, kIns}};
      for (const Cell& option : options)
        if (cell.cost > option.cost) cell = option;
    }
  }
  std::string trace;
  size_t i = n_h, j = n_r;
  while (i > 0 || j > 0) {
    const char op = dist[i][j].op;
    trace.push_back(op);
    if (op == kSub || op == kNop) {
      --i;
      --j;
    } else if (op == kIns) {
      --j;
    } else if (op == kDel) {
      --i;
    } else {
      throw Error("[ter] the edit-distance trace left the beam");
    }
  }
  std::reverse(trace.begin(), trace.end());
  return {dist[n_h][n_r].cost, trace};
}

struct Alignment {
  std::vector<int64_t> align;  // reference position -> hypothesis position (kMissing: none)
  std::vector<int> ref_err, hyp_err;
};
constexpr int64_t kMissing = INT64_MIN;

// trace_to_alignment of the flipped trace (insertions and deletions swapped: rewriting the
// reference into the hypothesis).
Alignment trace_to_alignment(const std::string& inverse_trace, size_t n_ref) {
  Alignment a;
  a.align.assign(n_ref, kMissing);
  int64_t pos_hyp = -1, pos_ref = -1;
  for (char inverse_op : inverse_trace) {
    const char op = inverse_op == kIns ? kDel : inverse_op == kDel ? kIns : inverse_op;
    if (op == kNop || op == kSub) {
      a.align[++pos_ref] = ++pos_hyp;
      a.hyp_err.push_back(op == kSub);
      a.ref_err.push_back(op == kSub);
    } else if (op == kIns) {
      ++pos_hyp;
      a.hyp_err.push_back(1);
    } else {
      a.align[++pos_ref] = pos_hyp;
      a.ref_err.push_back(1);
    }
  }
  return a;
}

// words[begin:end] with Python's clamping.
void append_slice(Words& out, const Words& words, size_t begin, size_t end) {
  end = std::min(end, words.size());
  if (begin < end) out.insert(out.end(), words.begin() + begin, words.begin() + end);
}

// _perform_shift: the block words[start:start+length] moved before position target.
Words perform_shift(const Words& w, size_t start, size_t length, size_t target) {
  Words out;
  out.reserve(w.size());
  if (target < start) {
    append_slice(out, w, 0, target);
    append_slice(out, w, start, start + length);
    append_slice(out, w, target, start);
    append_slice(out, w, start + length, w.size());
  } else if (target > start + length) {
    append_slice(out, w, 0, start);
    append_slice(out, w, start + length, target);
    append_slice(out, w, start, start + length);
    append_slice(out, w, target, w.size());
  } else {
    append_slice(out, w, 0, start);
    append_slice(out, w, start + length, length + target);
    append_slice(out, w, start, start + length);
    append_slice(out, w, length + target, w.size());
  }
  return out;
}

int sum(const std::vector<int>& v, size_t begin, size_t length) {
  int total = 0;
  for (size_t k = begin; k < std::min(v.size(), begin + length); ++k) total += v[k];
  return total;
}

// lib_ter._shift: the best shift of the hypothesis (its gain in edit distance and the shifted
// words), or gain 0 and the words unchanged; counts the candidates it scores into `checked`.
std::pair<int64_t, Words> best_shift(const Words& hyp, const Words& ref, int& checked) {
  const auto [pre_score, trace] = beam_edit_distance(hyp, ref);
  const Alignment a = trace_to_alignment(trace, ref.size());
  // Candidates rank by gain, then longer blocks, then earlier starts, then earlier targets.
  std::tuple<int64_t, int64_t, int64_t, int64_t> best{};
  Words best_words;
  bool found = false;
  const auto n_h = static_cast<int64_t>(hyp.size()), n_r = static_cast<int64_t>(ref.size());
  for (int64_t start_h = 0; start_h < n_h && checked < kMaxShiftCandidates; ++start_h) {
    for (int64_t start_r = 0; start_r < n_r && checked < kMaxShiftCandidates; ++start_r) {
      if (std::abs(start_r - start_h) > kMaxShiftDist) continue;
      // _find_shifted_pairs: every length of the common block starting at (start_h, start_r).
      for (int64_t length = 1; length <= kMaxShiftSize; ++length) {
        if (hyp[start_h + length - 1] != ref[start_r + length - 1]) break;
        if (sum(a.hyp_err, start_h, length) > 0 && sum(a.ref_err, start_r, length) > 0 &&
            !(start_h <= a.align[start_r] && a.align[start_r] < start_h + length)) {
          int64_t prev_idx = -1;
          for (int64_t offset = -1; offset < length; ++offset) {
            int64_t idx;
            if (start_r + offset == -1) {
              idx = 0;
            } else if (start_r + offset < n_r && a.align[start_r + offset] != kMissing) {
              idx = a.align[start_r + offset] + 1;  // before the aligned word, unlike tercom
            } else {
              break;
            }
            if (idx == prev_idx) continue;
            prev_idx = idx;
            Words shifted = perform_shift(hyp, start_h, length, idx);
            const auto candidate = std::make_tuple(
                pre_score - beam_edit_distance(shifted, ref).first, length, -start_h, -idx);
            ++checked;
            if (!found || candidate > best) {
              found = true;
              best = candidate;
              best_words = std::move(shifted);
            }
          }
          // sacreBLEU checks its candidate budget after each (start_h, start_r, length).
          if (checked >= kMaxShiftCandidates) break;
        }
        if (start_h + length == n_h || start_r + length == n_r) break;
      }
    }
  }
  if (!found) return {0, hyp};
  return {std::get<0>(best), std::move(best_words)};
}

Words ter_words(std::string_view line, const TerOptions& options) {
  const std::string tokens = tokenize_tercom(python_text::rstrip(line), options);
  const std::vector<std::string_view> words = python_text::split(tokens);
  return {words.begin(), words.end()};
}

}  // namespace

std::string tokenize_tercom(std::string_view line, const TerOptions& options) {
  if (line.empty()) return "";
  std::string text = options.case_sensitive ? std::string(line) : python_text::lower(line);
  const auto keep_all = [](std::string_view, char32_t) { return true; };
  const auto pad_none = [](char32_t) { return false; };
  if (options.normalized) {
    text = normalize_western(std::move(text));
    if (options.asian_support)
      text = map_code_points(text, keep_all, [](char32_t c) {
        return is_tercom_asian_char(c) || is_tercom_asian_punct(c);
      });
  }
  if (options.no_punct) {
    constexpr std::string_view kPunct = ".,?:;!\"()";
    text = map_code_points(
        text,
        [&](std::string_view piece, char32_t c) {
          if (piece.size() == 1 && kPunct.find(piece[0]) != std::string_view::npos) return false;
          return !(options.asian_support && is_tercom_asian_punct(c));
        },
        pad_none);
  }
  std::string out;
  for (std::string_view word : python_text::split(text)) {
    if (!out.empty()) out.push_back(' ');
    out.append(word);
  }
  return out;
}

int64_t translation_edits(const Words& hypothesis, const Words& reference) {
  if (reference.empty()) return static_cast<int64_t>(hypothesis.size());
  int64_t shifts = 0;
  Words words = hypothesis;
  int checked = 0;
  while (true) {
    auto [gain, shifted] = best_shift(words, reference, checked);
    // Out of candidates: the last search's best shift is not applied (as in sacreBLEU).
    if (checked >= kMaxShiftCandidates || gain <= 0) break;
    ++shifts;
    words = std::move(shifted);
  }
  return shifts + beam_edit_distance(words, reference).first;
}

std::vector<double> ter_segment_stats(std::string_view hypothesis,
                                      const std::vector<std::string_view>& references,
                                      const TerOptions& options) {
  EMBER_CHECK(!references.empty(), "[ter] a segment needs at least one reference");
  const Words hyp = ter_words(hypothesis, options);
  int64_t best_edits = kInfinity;
  double ref_lengths = 0.0;
  for (std::string_view reference : references) {
    // sacreBLEU tokenizes each reference twice (TER._cache_references, then
    // _extract_reference_info); with --ter-normalized the second pass splits more, e.g.
    // "mary's ." -> "mary 's .", so this does too.
    const Words ref = ter_words(tokenize_tercom(python_text::rstrip(reference), options), options);
    best_edits = std::min(best_edits, translation_edits(hyp, ref));
    ref_lengths += static_cast<double>(ref.size());
  }
  return {static_cast<double>(best_edits), ref_lengths / static_cast<double>(references.size())};
}

double ter_from_stats(const std::vector<double>& stats) {
  EMBER_CHECK(stats.size() == 2, "[ter] expected 2 statistics, got {}", stats.size());
  const double edits = stats[0], ref_length = stats[1];
  if (ref_length > 0) return 100.0 * edits / ref_length;
  return edits > 0 ? 100.0 : 0.0;
}

std::string ter_signature_fields(const TerOptions& options) {
  return fmt::format("case:{}|tok:tercom|norm:{}|punct:{}|asian:{}",
                     options.case_sensitive ? "mixed" : "lc", options.normalized ? "yes" : "no",
                     options.no_punct ? "no" : "yes", options.asian_support ? "yes" : "no");
}

}  // namespace ember::seq2seq
