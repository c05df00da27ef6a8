// TER, translation edit rate (Snover et al. 2006), computed exactly as sacreBLEU 2.x does
// (sacrebleu/metrics/ter.py, lib_ter.py, tokenizers/tokenizer_ter.py), which reproduces tercom:
//
//   TER = (word edits + shifts) / reference length,   0..100 here
//
// where the edits are a beam-limited Levenshtein distance (insertion, deletion, substitution all
// cost 1; a beam of 25 cells around the length-scaled diagonal) after a greedy search of block
// shifts: repeatedly apply the shift of a matching block (at most 10 words, at most 50 positions
// away, only where both sides are wrong) that lowers the edit distance most, until none does, or
// 1000 shift candidates have been tried in all. With several references a segment counts its
// fewest edits and the mean of its reference lengths; the corpus sums both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::seq2seq {

struct TerOptions {
  bool normalized = false;      // tercom's tokenization of punctuation, XML escapes, possessives
  bool no_punct = false;        // remove . , ? : ; ! " ( )
  bool asian_support = false;   // with normalized / no_punct: CJK characters and punctuation
  bool case_sensitive = false;  // default: lowercase
};

// sacreBLEU's TercomTokenizer: the tokens joined by single spaces.
std::string tokenize_tercom(std::string_view line, const TerOptions& options);

// Edits (shifts + edit distance) turning the hypothesis into the reference, tercom's search.
int64_t translation_edits(const std::vector<std::string>& hypothesis,
                          const std::vector<std::string>& reference);

// [fewest edits over the references, mean reference length] of one segment (references
// non-empty; an empty string is an empty reference). As in sacreBLEU, the hypothesis is tokenized
// once and each reference twice (which matters only with `normalized`).
std::vector<double> ter_segment_stats(std::string_view hypothesis,
                                      const std::vector<std::string_view>& references,
                                      const TerOptions& options);

// TER (0..100) of summed statistics: edits / reference length; 100 if the references are empty
// and there are edits, 0 if both are empty.
double ter_from_stats(const std::vector<double>& stats);

// The metric's own signature fields: "case:lc|tok:tercom|norm:no|punct:yes|asian:no".
std::string ter_signature_fields(const TerOptions& options);

}  // namespace ember::seq2seq
